// Running the user's command, and finding and stopping every process it started.
#pragma once

#include "os/fd.hpp"
#include "os/loop.hpp"

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace coordctl::os {

struct ChildSpec {
    std::vector<std::string> argv;
    std::vector<std::string> env; // complete environment, "NAME=value"
    bool kill_with_parent = false; // PR_SET_PDEATHSIG(SIGKILL) in the child
    // In a session and process group of its own (workers run several
    // commands at once and must stop each one's tree alone).
    bool own_group = false;
};

class Child : Handle<uv_process_t> {
  public:
    explicit Child(Loop& loop) : loop_(loop) {}
    // 0, or the errno that kept the command from starting (ENOENT, EACCES...).
    // on_exit gets the exit code, or 128+N when the child died of signal N.
    int spawn(const ChildSpec& spec, std::function<void(int)> on_exit);
    pid_t pid() const { return pid_; }
    bool running() const { return running_; }

  private:
    Loop& loop_;
    pid_t pid_ = 0;
    bool running_ = false;
    std::function<void(int)> on_exit_;
};

// Calls fn once when a process (not necessarily our child) exits: a pidfd
// on the loop, or polling kill(pid, 0) where pidfds are not available.
class ProcessExitWatch {
  public:
    explicit ProcessExitWatch(Loop& loop) : loop_(loop), poll_(loop) {}
    void start(pid_t pid, std::chrono::milliseconds poll_every, std::function<void()> fn);
    void stop();

  private:
    Loop& loop_;
    Timer poll_;
    UniqueFd pidfd_;
    std::unique_ptr<ReadableWatch> watch_;
    std::function<void()> fn_;
};

// Opens /dev/null on each of descriptors 0-2 that is closed, before anything
// else is opened: a file of ours in that place would be the command's
// standard stream (and libuv's spawn fails on it).
void open_closed_standard_streams();
// SIGPIPE and SIGXFSZ ignored: a write to a pipe nobody reads or past
// RLIMIT_FSIZE then fails (EPIPE, EFBIG) and is reported as any failed
// write, leaving nothing in DIR, instead of killing coordctl mid-protocol.
// Commands get the default action back (libuv's spawn resets every handler;
// restore_default_write_signals before an exec of our own).
void ignore_write_signals();
void restore_default_write_signals();
// Whether process `pid` exists (kill(pid, 0); another user's counts).
bool process_exists(pid_t pid);
// A pidfd for `pid` (readable once it has exited, zombie or not); empty with
// errno set if none: ESRCH for no such process, ENOSYS before Linux 5.3.
UniqueFd open_pidfd(pid_t pid);
// Orphans of our descendants are re-parented to us, so the whole tree stays findable.
void become_subreaper();
// Raises the soft limit of open files to `wanted`, as far as the hard limit
// allows; returns the soft limit now in force.
std::uint64_t raise_open_file_limit(std::uint64_t wanted);
// Every live process below this one (children, grandchildren...).
std::vector<pid_t> descendants();
// This process's children, its own and adopted orphans (from /proc).
std::vector<pid_t> children();
// Whether this process has any child left, live or zombie (one system call).
bool has_children();
// Reaps zombies of adopted orphans: our children that no Child owns.
void reap_adopted();
// Whether any process (or zombie) is left in process group `pgid`.
bool group_alive(pid_t pgid);

// Ends the process at once with `code`, or of `fatal_signal` if not 0,
// without tearing down the event loop: the kernel drops the locks,
// descriptors and memory left faster than closing each libuv handle (some
// 40 system calls, a sixth of an uncontended lock's). Returns only in
// sanitizer builds, which tear down as usual so that leaks are still found.
void exit_now(int code, int fatal_signal);
// Dies of `sig` (default action) if not 0: cancelled by a signal while
// waiting, as the caller expects. Returns if the signal does not kill.
void die_of_signal(int sig);

// The argv that runs `argv` with PR_SET_PDEATHSIG(SIGKILL) set (through ourselves).
std::vector<std::string> with_parent_death_signal(const std::vector<std::string>& argv);
// Entry point of that trampoline: argv[2...] is the command. Does not return on success.
int exec_with_parent_death_signal(int argc, char** argv);
inline constexpr const char* parent_death_trampoline = "__exec-with-pdeathsig";

} // namespace coordctl::os
