#include "protocol/round_wait.hpp"

namespace coordctl {

EnterWait::EnterWait(os::Loop& loop, Rounds& rounds, Ticket& ticket, WaitOptions options, Done done)
    : rounds_(rounds), ticket_(ticket), options_(options), done_(std::move(done)), watch_(loop),
      soon_(loop), deadline_(loop), heartbeat_(loop), retry_(loop) {}

void EnterWait::start() {
    if (options_.timeout) deadline_.start(*options_.timeout, [this] { on_timeout(); });
    // Waiting entries keep their heartbeat fresh too, for other hosts.
    heartbeat_.start_repeating(Duration(ticket_.record().ttl_ms / 3),
                               [this] { ticket_.heartbeat(); });
    // Armed before the first look: a marker written in between cannot be missed.
    watch_.start(rounds_.dir_path(), options_.poll_interval, options_.poll,
                 [this] { soon_.start(Duration(0), [this] { look(); }); });
    look();
}

void EnterWait::stop() {
    watch_.stop();
    soon_.stop();
    deadline_.stop();
    heartbeat_.stop();
    retry_.stop();
    done_ = nullptr;
}

void EnterWait::look() {
    if (!ticket_.still_mine()) return finish(EnterOutcome::lost, std::nullopt);
    if (auto round = rounds_.sealed_with(ticket_)) finish(EnterOutcome::entered, std::move(round));
}

void EnterWait::on_timeout() {
    // Under the join lock: either I leave before the round is sealed, or it
    // was sealed with me in it and I am a member after all. While another
    // process holds that lock, look again from the loop (signals still work).
    auto left = rounds_.leave_unless_sealed(ticket_);
    if (left.busy) {
        if (!leave_busy_.out_of_patience())
            return retry_.start(token_lock_retry_every, [this] { on_timeout(); });
        // -w is over: leave without the lock, as a signal does. Nobody can
        // seal a round while it stays taken, so this is exact but for a
        // release at this very moment.
        if (auto round = rounds_.sealed_with(ticket_))
            return finish(EnterOutcome::entered, std::move(round));
        ticket_.leave();
        return finish(EnterOutcome::join_lock_held, std::nullopt);
    }
    finish(left.round ? EnterOutcome::entered : EnterOutcome::timed_out, std::move(left.round));
}

void EnterWait::finish(EnterOutcome outcome, std::optional<Round> round) {
    auto done = std::move(done_);
    stop();
    if (done) done(outcome, std::move(round));
}

ExitWait::ExitWait(os::Loop& loop, Queue& queue, Round round, WaitOptions options,
                   std::function<void()> done)
    : queue_(queue), round_(std::move(round)), options_(options), done_(std::move(done)),
      lock_(loop), file_(loop), recheck_(loop), soon_(loop) {}

void ExitWait::stop() {
    lock_.stop();
    file_.stop();
    recheck_.stop();
    soon_.stop();
}

void ExitWait::look_soon() {
    soon_.start(Duration(0), [this] { look(); });
}

void ExitWait::look() {
    stop();
    while (true) {
        auto present = members_present(queue_.entries(), round_);
        if (present.empty()) return done_();
        if (arm(present.front())) return;
        stop(); // it left, or died: look again
    }
}

bool ExitWait::arm(const EntryName& entry) {
    auto probe = queue_.probe(entry);
    if (!probe.exists) return false;
    auto verdict = judge_owner(probe.facts);
    if (verdict.liveness == Liveness::stale) {
        queue_.remove_stale(entry, probe, verdict);
        return false;
    }
    if (verdict.liveness == Liveness::alive_locked && !options_.poll) {
        lock_.start(probe.fd.get(), os::LockKind::owner, [this] { look_soon(); });
    } else {
        // Another host's lease (or poll mode, where a lock wait may never be
        // woken): look again when the lease would expire or every interval.
        file_.start(queue_.dir().path_of(entry.str()), options_.poll_interval, options_.poll,
                    [this] { look_soon(); });
        bool lease = verdict.liveness == Liveness::alive_lease;
        recheck_.start(lease ? verdict.recheck_in : options_.poll_interval,
                       [this] { look_soon(); });
    }
    // The wake-up was armed after the probe: if the entry went in between, look again now.
    return queue_.dir().stat_entry(entry.str()).has_value();
}

} // namespace coordctl
