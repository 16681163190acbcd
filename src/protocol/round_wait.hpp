// The two waits of a double barrier (coordctl(1), dbarrier). Entering: until
// the round is sealed with me in it; a watch on DIR wakes me when the marker
// appears. Exiting: until every member's entry is gone, waiting on one entry
// at a time: on its owner's kernel lock when it has one (so a member that
// dies is noticed at once and never blocks the others), else on a file watch
// plus its lease's expiry.
#pragma once

#include "os/lock_wait.hpp"
#include "os/loop.hpp"
#include "protocol/round.hpp"
#include "protocol/waiter.hpp"

#include <chrono>
#include <functional>
#include <optional>

namespace coordctl {

// join_lock_held: -w expired, and the join lock stayed taken by another
// process for token_lock_patience after that (left without it).
enum class EnterOutcome { entered, timed_out, join_lock_held, lost };

class EnterWait {
  public:
    using Done = std::function<void(EnterOutcome, std::optional<Round>)>;
    // options.timeout: none waits forever.
    EnterWait(os::Loop& loop, Rounds& rounds, Ticket& ticket, WaitOptions options, Done done);
    void start();
    void stop(); // cancel without calling done

  private:
    void look();
    void on_timeout();
    void finish(EnterOutcome outcome, std::optional<Round> round);

    Rounds& rounds_;
    Ticket& ticket_;
    WaitOptions options_;
    Done done_;
    os::FileWatch watch_;
    os::Timer soon_;
    os::Timer deadline_;
    os::Timer heartbeat_;
    os::Timer retry_; // leaving, while the join lock is held by another process
    TokenLockBusy leave_busy_;
};

class ExitWait {
  public:
    ExitWait(os::Loop& loop, Queue& queue, Round round, WaitOptions options,
             std::function<void()> done);
    void start() { look(); }
    void stop(); // cancel without calling done

  private:
    void look();
    void look_soon(); // from a watch's own callback: not while it runs
    // False if `entry` is gone (it left, or was stale and is now removed);
    // else true, with a wake-up armed for when it may have gone.
    bool arm(const EntryName& entry);

    Queue& queue_;
    Round round_;
    WaitOptions options_;
    std::function<void()> done_;
    os::LockWaiter lock_;
    os::FileWatch file_;
    os::Timer recheck_;
    os::Timer soon_;
};

} // namespace coordctl
