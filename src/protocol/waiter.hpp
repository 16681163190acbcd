// Waiting for one's turn in the queue. A waiter waits only for the entries
// its plan names (usually one): on their kernel locks when they have them,
// else on a file watch plus a lease timer or the owner process's exit.
// After every wake-up it looks again instead of assuming it is now first:
// it reads the queue, unless what it learned from its blocker's departure is
// enough (Queue::plan_and_grant).
#pragma once

#include "os/lock_wait.hpp"
#include "os/loop.hpp"
#include "protocol/progress.hpp"
#include "protocol/queue.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace coordctl {

enum class WaitOutcome { granted, not_acquired, lost, conflict };

struct WaitOptions {
    std::optional<Duration> timeout; // none: forever; zero: do not wait at all
    Duration poll_interval = std::chrono::milliseconds(200);
    bool poll = false; // network filesystem (or --poll): never block on a lock
};

class Waiter {
  public:
    Waiter(os::Loop& loop, Queue& queue, Ticket& ticket, WaitOptions options, Progress& progress,
           std::function<void(WaitOutcome)> done);
    ~Waiter();
    void start();
    void stop(); // cancel without calling done
    // On what the participants disagree (after WaitOutcome::conflict):
    // "the lock mode: entry ... uses --slots 2, this one exclusive".
    const std::string& conflict() const { return conflict_; }
    // The last look found the token lock held too long by another process.
    bool token_lock_busy() const { return static_cast<bool>(token_lock_busy_); }

  private:
    struct EntryWait;
    enum class Armed { waiting, look_again };

    void evaluate();
    void evaluate_soon(); // from a watch's own callback: not while it runs
    void finish(WaitOutcome outcome);
    bool wait_for_evicted();
    Armed arm(const Watch& watch);
    void arm_deciding(EntryWait& wait, int fd, const Watch& watch, bool read);
    void arm_lock(EntryWait& wait, int fd, os::LockKind kind, const EntryName& entry);
    void arm_file(EntryWait& wait, const EntryName& entry);
    bool nonblocking() const { return options_.timeout && options_.timeout->count() == 0; }

    os::Loop& loop_;
    Queue& queue_;
    Ticket& ticket_;
    WaitOptions options_;
    Progress& progress_;
    std::function<void(WaitOutcome)> done_;
    bool finished_ = false;
    std::string conflict_;
    TokenLockBusy token_lock_busy_;
    std::vector<std::unique_ptr<EntryWait>> waits_;
    // What the last plan waited for happened (for the next look only).
    std::optional<WakeUp> woke_;
    // Found granted when its grant was to be watched.
    std::optional<EntryName> looked_again_for_grant_of_;
    os::Timer soon_;
    os::Timer deadline_;
    os::Timer tick_;
    os::Timer heartbeat_;
};

} // namespace coordctl
