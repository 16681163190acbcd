// Tasks of `coordctl workers`: names, command substitution, results and
// restart backoff. Pure.
#pragma once

#include "core/duration.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace coordctl {

// Why a task name is unusable ("" if it is fine): empty, '/', leading dot,
// control characters, longer than 200 bytes.
std::string task_name_problem(std::string_view name);

// Task names from a file: one per line; blank lines and lines starting
// with '#' are skipped, surrounding spaces trimmed.
std::vector<std::string> parse_task_list(std::string_view text);

// Replaces every "{}" in every argument (also inside a larger one) by the task name.
std::vector<std::string> substitute_task(const std::vector<std::string>& args, const std::string& task);

// The final state of a task, kept in DIR/state/<task>.json.
struct TaskResult {
    bool done = false; // exited 0; else failed after all attempts
    int exit_code = 0;
    int attempts = 0;
    std::string host;
    std::int64_t pid = 0;
    std::int64_t duration_ms = 0;
    std::int64_t finished_ms = 0;
    bool operator==(const TaskResult&) const = default;
};

std::string format_task_result(const TaskResult& result);
std::optional<TaskResult> parse_task_result(std::string_view text);

// --restart: wait before starting a command again after its n-th exit in a
// row (1s, 2s, 4s... capped at 30s); a run that lasted long resets n.
Duration restart_backoff(int consecutive_exits);

} // namespace coordctl
