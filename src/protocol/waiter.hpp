// Waiting for one's turn in the queue. Each waiter waits for one entry only
// (its blocker, see blocker.hpp). After every wake-up it reads the queue
// again instead of assuming it is now first.
#pragma once

#include "os/loop.hpp"
#include "protocol/blocker.hpp"
#include "protocol/progress.hpp"
#include "protocol/queue.hpp"

#include <functional>
#include <optional>

namespace coordctl {

enum class WaitOutcome { granted, not_acquired, lost };

struct WaitOptions {
    std::optional<Duration> timeout; // none: forever; zero: do not wait at all
    WatchOptions watch;
};

class Waiter {
  public:
    Waiter(os::Loop& loop, Queue& queue, Ticket& ticket, WaitOptions options, Progress& progress,
           std::function<void(WaitOutcome)> done);
    void start();
    void stop(); // cancel without calling done

  private:
    void evaluate();
    void finish(WaitOutcome outcome);
    bool nonblocking() const { return options_.timeout && options_.timeout->count() == 0; }

    Queue& queue_;
    Ticket& ticket_;
    WaitOptions options_;
    Progress& progress_;
    std::function<void(WaitOutcome)> done_;
    bool finished_ = false;
    Blocker blocker_;
    os::Timer deadline_;
    os::Timer tick_;
};

} // namespace coordctl
