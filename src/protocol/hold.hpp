// Running the user's command while the entry is held: the child inherits a
// lock on the wait file (so an orphaned child keeps the hold, as with
// flock(1)) unless told otherwise, signals are forwarded, and if the wait file is removed the whole
// process tree is stopped before the hold is given up.
#pragma once

#include "core/duration.hpp"
#include "os/loop.hpp"
#include "os/process.hpp"
#include "protocol/queue.hpp"

#include <functional>
#include <optional>
#include <set>

namespace coordctl {

struct HoldOptions {
    os::ChildSpec child;
    // The command inherits a share lock on the wait file, so that if coordctl
    // dies the entry stays alive until the command has exited too. dbarrier:
    // false (a participant is its coordctl).
    bool child_keeps_entry = true;
    Duration kill_after = std::chrono::seconds(10);
    Duration poll_interval = std::chrono::milliseconds(200);
    bool poll = false; // network filesystem or --poll: no inotify
    // Checked at every heartbeat (TTL/3): empty while the hold stands, else
    // why it is lost (elect: "no longer first in the queue").
    std::function<std::string(const Ticket&)> standing;
};

class Hold {
  public:
    // done(exit code, lost): lost is true when the hold was lost (code 79).
    Hold(os::Loop& loop, Ticket& ticket, HoldOptions options, std::function<void(int, bool)> done);
    // Starts the command. done gets its exit status, 79 if the hold was lost,
    // 126/127 if it could not be started. Called once the whole tree is gone.
    void start();
    void forward(int sig);
    // Why the command could not be started (errno), or 0.
    int spawn_error() const { return spawn_error_; }
    // Forwards a signal coordctl received, except those a terminal already
    // sent to the command itself (it runs in coordctl's process group).
    void relay(int sig);

  private:
    void watch_own_file();
    void check_loss();
    void heartbeat();
    void lose(const std::string& why);
    void on_child_exit(int code);
    std::vector<pid_t> tree() const;
    void stop_tree();
    void stopping_tick();
    void finish(int code);

    Ticket& ticket_;
    HoldOptions options_;
    std::function<void(int, bool)> done_;
    os::Child child_;
    os::FileWatch watch_;
    os::Timer watch_upgrade_;
    os::Timer heartbeat_;
    os::Timer kill_timer_;
    os::Timer stopping_;
    std::optional<int> child_code_;
    int spawn_error_ = 0;
    bool lost_ = false;
    bool dir_moved_said_ = false;
    std::string dir_absolute_; // DIR, to see whether it was moved (heartbeat)
    bool stopping_tree_ = false;
    bool killing_ = false;
    std::set<pid_t> terminated_;
};

// The environment of the command: ours, plus COORDCTL_TOKEN, COORDCTL_DIR,
// COORDCTL_WAIT_FILE for `ticket` in `dir`, plus `extra` ("NAME=value").
std::vector<std::string> child_environment(const Ticket& ticket, const std::string& dir,
                                           const std::vector<std::string>& extra);

// "DIR" made absolute against the current directory, tidied (tidy_path).
std::string absolute_path(const std::string& path);

} // namespace coordctl
