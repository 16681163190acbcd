// coordctl lock: run a command while holding a fair, crash-safe lock.
#pragma once

#include "core/duration.hpp"
#include "core/entry_name.hpp"

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace coordctl {

class Options; // cmd/commands.hpp

struct LockOptions {
    std::string dir;
    std::vector<std::string> command;
    std::string shell_command; // -c
    Mode mode = Mode::exclusive;
    std::uint32_t slots = 0;
    bool cut = false;
    bool preempt = false;
    bool hold = false;
    pid_t owner_pid = 0;
    bool nonblock = false;
    std::optional<Duration> timeout;
    int conflict_exit_code = 75;
    std::string label;
    Duration ttl = std::chrono::seconds(30);
    Duration kill_after = std::chrono::seconds(10);
    bool orphan_kill = false;
    bool no_create = false;
    bool poll = false;
    Duration poll_interval = std::chrono::milliseconds(200);
    bool quiet = false;
    bool verbose = false;
};

int run_lock(const LockOptions& options);

// Registers the subcommand's options; `run` is set to run it after parsing.
void add_lock_command(Options& cli, std::function<int()>& run);

} // namespace coordctl
