// Rows of `coordctl status`: what each queue entry is, for humans (an
// aligned table) and for scripts (JSON with stable field names, documented
// in coordctl-protocol(7)). Pure: the caller gathers the facts.
#pragma once

#include "core/duration.hpp"
#include "core/entry_name.hpp"
#include "core/liveness.hpp"
#include "core/record.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace coordctl {

struct StatusFacts {
    EntryName entry;
    std::optional<Record> record; // nullopt: unreadable
    bool waiting = false;         // still marked waiting (not granted)
    Verdict verdict;
    Duration heartbeat_age{0};
};

struct StatusRow {
    std::size_t position = 0;
    std::string name;
    std::uint64_t token = 0;
    std::string priority; // "normal" / "cut"
    std::string mode;     // "exclusive" / "shared" / "slots"
    std::uint32_t slots = 0;
    std::string state; // "held" / "waiting" / "stale" / "unreadable"
    std::int64_t pid = 0;
    std::string host;
    std::int64_t since_ms = 0; // held since, or waiting since
    std::int64_t heartbeat_age_ms = 0;
    bool alive = true;
    std::string liveness; // "alive", "alive (lease, expires in 12s)", "stale: <why>"
    std::string label;
    std::vector<std::string> command;
    bool hold = false;
};

// One task of a workers directory.
struct TaskRow {
    std::string task;
    std::string state;    // "pending", "running", "done", "failed", "unreadable"
    std::int64_t pid = 0; // running: the worker; done/failed: the one that finished it
    std::string host;
    std::int64_t since_ms = 0; // running since
    int exit_code = 0;
    int attempts = 0;
    std::int64_t duration_ms = 0;
};

std::string format_task_table(const std::vector<TaskRow>& rows, std::int64_t now_ms);
std::string format_task_json(const std::string& dir, const std::vector<TaskRow>& rows);

// One row per entry of facts (in queue order): the holders first, then the
// others in queue order; positions from 1.
std::vector<StatusRow> status_rows(const std::vector<StatusFacts>& facts);
// An aligned table with a header line; `now_ms` turns times into ages.
std::string format_status_table(const std::vector<StatusRow>& rows, std::int64_t now_ms, bool colour);
std::string format_status_json(const std::string& dir, const std::vector<StatusRow>& rows);

} // namespace coordctl
