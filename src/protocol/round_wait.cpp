#include "protocol/round_wait.hpp"

namespace coordctl {

EnterWait::EnterWait(os::Loop& loop, Rounds& rounds, Ticket& ticket, WatchOptions watch,
                     std::optional<Duration> timeout, Done done)
    : rounds_(rounds), ticket_(ticket), options_(watch), timeout_(timeout), done_(std::move(done)),
      watch_(loop), deadline_(loop) {}

void EnterWait::start() {
    if (timeout_) deadline_.start(*timeout_, [this] { on_timeout(); });
    // Armed before the first look: a marker written in between cannot be missed.
    watch_.start(rounds_.dir_path(), options_.poll_interval, options_.force_poll,
                 [this] { look(); });
    look();
}

void EnterWait::stop() {
    watch_.stop();
    deadline_.stop();
    done_ = nullptr;
}

void EnterWait::look() {
    if (!ticket_.still_mine()) return finish(EnterOutcome::lost, std::nullopt);
    if (auto round = rounds_.sealed_with(ticket_)) finish(EnterOutcome::entered, std::move(round));
}

void EnterWait::on_timeout() {
    // Under the join lock: either I leave before the round is sealed, or it
    // was sealed with me in it and I am a member after all.
    auto round = rounds_.leave_unless_sealed(ticket_);
    finish(round ? EnterOutcome::entered : EnterOutcome::timed_out, std::move(round));
}

void EnterWait::finish(EnterOutcome outcome, std::optional<Round> round) {
    auto done = std::move(done_);
    stop();
    if (done) done(outcome, std::move(round));
}

ExitWait::ExitWait(os::Loop& loop, Queue& queue, Round round, WatchOptions watch,
                   std::function<void()> done)
    : queue_(queue), round_(std::move(round)), blocker_(loop, queue, watch),
      done_(std::move(done)) {}

void ExitWait::look() {
    blocker_.stop();
    while (true) {
        auto present = members_present(queue_.entries(), round_);
        if (present.empty()) return done_();
        if (!blocker_.alive(present.front())) continue; // it left, or died: look again
        return blocker_.wait([this] { look(); });
    }
}

} // namespace coordctl
