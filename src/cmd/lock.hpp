// coordctl lock: run a command while holding a fair, crash-safe lock.
#pragma once

#include "cmd/child_command.hpp"
#include "core/duration.hpp"

#include <CLI/CLI.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace coordctl {

struct LockOptions {
    std::string dir;
    CommandOptions command;
    bool nonblock = false;
    std::optional<Duration> timeout;
    int conflict_exit_code = 75;
    std::string label;
    Duration kill_after = std::chrono::seconds(10);
    bool orphan_kill = false;
    bool no_create = false;
    bool quiet = false;
    bool verbose = false;
};

int run_lock(const LockOptions& options);

// Registers the subcommand's options; `run` is set to run it after parsing.
void add_lock_command(CLI::App& app, std::function<int()>& run);

} // namespace coordctl
