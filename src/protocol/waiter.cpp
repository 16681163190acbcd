#include "protocol/waiter.hpp"

#include "core/queue_order.hpp"

namespace coordctl {

namespace {
constexpr auto tick_every = std::chrono::seconds(1);
}

Waiter::Waiter(os::Loop& loop, Queue& queue, Ticket& ticket, WaitOptions options,
               Progress& progress, std::function<void(WaitOutcome)> done)
    : queue_(queue), ticket_(ticket), options_(options), progress_(progress),
      done_(std::move(done)), lock_wait_(loop), file_watch_(loop), recheck_(loop), deadline_(loop),
      tick_(loop) {}

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
    lock_wait_.stop();
    file_watch_.stop();
    recheck_.stop();
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
    lock_wait_.stop();
    file_watch_.stop();
    recheck_.stop();
    while (true) {
        auto plan = plan_wait(queue_.entries(), ticket_.name());
        if (!plan.present || !ticket_.still_mine()) return finish(WaitOutcome::lost);
        if (plan.granted) return finish(WaitOutcome::granted);
        progress_.update(plan, queue_);
        auto probe = queue_.probe(*plan.blocker);
        if (!probe.exists) continue; // it left between the two looks: look again
        auto verdict = judge_owner(probe.facts);
        if (verdict.liveness == Liveness::stale) {
            queue_.remove_stale(*plan.blocker, probe, verdict.reason);
            continue;
        }
        if (nonblocking()) return finish(WaitOutcome::not_acquired);
        if (verdict.liveness == Liveness::alive_locked)
            return lock_wait_.start(probe.fd.get(), [this] { evaluate(); });
        return wait_for_lease(*plan.blocker, verdict.recheck_in);
    }
}

void Waiter::wait_for_lease(const EntryName& blocker, Duration recheck_in) {
    recheck_.start(recheck_in, [this] { evaluate(); });
    file_watch_.start(queue_.dir().path_of(blocker.str()), options_.poll_interval,
                      options_.force_poll, [this] { evaluate(); });
    // The watch was set after the probe: if the entry went in between, look again now.
    if (!queue_.dir().stat_entry(blocker.str())) recheck_.start(Duration(0), [this] { evaluate(); });
}

} // namespace coordctl
