// Who we are: host, boot, process start times.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace coordctl::os {

struct HostIdentity {
    std::string host;
    std::string boot_id;
};

// Read once per process.
const HostIdentity& host_identity();

// Start time of a process in clock ticks after boot (/proc/PID/stat field 22);
// nullopt if there is none, or it has exited (a zombie whose threads have
// all exited: its parent has not yet reaped it).
std::optional<std::uint64_t> process_start_time(pid_t pid);
// Whether process `pid` started at `start` (process_start_time) may still
// run: false only if known gone (no such pid, exited, or another process
// with its pid). A pid in use that /proc does not show (hidepid, another
// user's) may be it.
bool process_may_live(pid_t pid, std::uint64_t start);
// Parent pid of a process, from /proc/PID/stat.
std::optional<pid_t> parent_pid(pid_t pid);

} // namespace coordctl::os
