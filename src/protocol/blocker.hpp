// Waiting for one entry of a queue to go: its owner removes it, or its owner
// is proven gone and the entry is removed here as stale. On the entry's
// kernel lock when it has one (no polling, no inotify instance), else on a
// file watch plus a timer at its lease's expiry. Used by the queue's waiter
// (the entry is the predecessor) and by dbarrier's exit (each participant).
#pragma once

#include "core/liveness.hpp"
#include "os/lock_wait.hpp"
#include "os/loop.hpp"
#include "protocol/queue.hpp"

#include <functional>

namespace coordctl {

struct WatchOptions {
    Duration poll_interval = std::chrono::milliseconds(200);
    bool force_poll = false; // --poll: never trust inotify
};

class Blocker {
  public:
    Blocker(os::Loop& loop, Queue& queue, WatchOptions options);
    // Looks at `entry` now. False if it is gone: it left, or its owner was
    // dead and the entry has been removed (with a warning). True if its
    // owner is alive: then wait() may follow.
    bool alive(const EntryName& entry);
    // After alive() said true: calls `changed` once, when the entry may have gone.
    void wait(std::function<void()> changed);
    void stop();

  private:
    void wait_for_lease(std::function<void()> changed);

    Queue& queue_;
    WatchOptions options_;
    EntryName entry_;
    EntryProbe probe_;
    Verdict verdict_;
    os::LockWaiter lock_wait_;
    os::FileWatch file_watch_;
    os::Timer recheck_;
};

} // namespace coordctl
