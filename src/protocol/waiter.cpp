#include "protocol/waiter.hpp"

#include "core/queue_order.hpp"

namespace coordctl {

namespace {
constexpr auto tick_every = std::chrono::seconds(1);
}

Waiter::Waiter(os::Loop& loop, Queue& queue, Ticket& ticket, WaitOptions options,
               Progress& progress, std::function<void(WaitOutcome)> done)
    : queue_(queue), ticket_(ticket), options_(options), progress_(progress),
      done_(std::move(done)), blocker_(loop, queue, options.watch), deadline_(loop), tick_(loop) {}

void Waiter::start() {
    if (options_.timeout && options_.timeout->count() > 0)
        deadline_.start(*options_.timeout, [this] { finish(WaitOutcome::not_acquired); });
    // A waiter does not spend an inotify instance on its own file: it notices
    // its removal at each wake-up and on this tick.
    tick_.start_repeating(tick_every, [this] {
        if (!ticket_.still_mine()) return finish(WaitOutcome::lost);
        progress_.tick();
    });
    evaluate();
}

void Waiter::stop() {
    finished_ = true;
    blocker_.stop();
    deadline_.stop();
    tick_.stop();
}

void Waiter::finish(WaitOutcome outcome) {
    if (finished_) return;
    stop();
    progress_.finish();
    done_(outcome);
}

void Waiter::evaluate() {
    if (finished_) return;
    blocker_.stop();
    while (true) {
        auto plan = plan_wait(queue_.entries(), ticket_.name());
        if (!plan.present || !ticket_.still_mine()) return finish(WaitOutcome::lost);
        if (plan.granted) return finish(WaitOutcome::granted);
        progress_.update(plan, queue_);
        if (!blocker_.alive(*plan.blocker)) continue; // it left, or was stale: look again
        if (nonblocking()) return finish(WaitOutcome::not_acquired);
        return blocker_.wait([this] { evaluate(); });
    }
}

} // namespace coordctl
