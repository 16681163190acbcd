// The two waits of a double barrier (coordctl(1), dbarrier). Entering: until
// the round is sealed with me in it; a watch on DIR wakes me when the marker
// appears. Exiting: until every member's entry is gone, waiting on one
// entry at a time (see blocker.hpp), so a member that dies is noticed at
// once through its kernel lock and never blocks the others.
#pragma once

#include "os/loop.hpp"
#include "protocol/blocker.hpp"
#include "protocol/round.hpp"

#include <functional>
#include <optional>

namespace coordctl {

enum class EnterOutcome { entered, timed_out, lost };

class EnterWait {
  public:
    using Done = std::function<void(EnterOutcome, std::optional<Round>)>;
    EnterWait(os::Loop& loop, Rounds& rounds, Ticket& ticket, WatchOptions watch,
              std::optional<Duration> timeout, Done done);
    void start();
    void stop(); // cancel without calling done

  private:
    void look();
    void on_timeout();
    void finish(EnterOutcome outcome, std::optional<Round> round);

    Rounds& rounds_;
    Ticket& ticket_;
    WatchOptions options_;
    std::optional<Duration> timeout_;
    Done done_;
    os::FileWatch watch_;
    os::Timer deadline_;
};

class ExitWait {
  public:
    ExitWait(os::Loop& loop, Queue& queue, Round round, WatchOptions watch,
             std::function<void()> done);
    void start() { look(); }
    void stop() { blocker_.stop(); }

  private:
    void look();

    Queue& queue_;
    Round round_;
    Blocker blocker_;
    std::function<void()> done_;
};

} // namespace coordctl
