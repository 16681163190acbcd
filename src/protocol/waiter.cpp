#include "protocol/waiter.hpp"

#include "core/error.hpp"
#include "core/queue_order.hpp"
#include "os/process.hpp"

namespace coordctl {

namespace {
// How often a waiter looks at its own file, and redraws its progress line
// or logs (-v): each second while it shows something, else every 5 s
// (the only cost of an idle waiter, times the waiters of a long queue).
constexpr auto tick_every_shown = std::chrono::seconds(1);
constexpr auto tick_every_quiet = std::chrono::seconds(5);
} // namespace

// Everything one watched entry can wake us with; destroyed (and so
// cancelled) at every evaluation.
struct Waiter::EntryWait {
    explicit EntryWait(os::Loop& loop) : lock(loop), file(loop), timer(loop), owner(loop) {}
    os::LockWaiter lock;
    os::FileWatch file;
    os::Timer timer; // lease expiry, or the poll of a lock in poll mode
    os::ProcessExitWatch owner;
    os::UniqueFd fd;
};

Waiter::Waiter(os::Loop& loop, Queue& queue, Ticket& ticket, WaitOptions options,
               Progress& progress, std::function<void(WaitOutcome)> done)
    : loop_(loop), queue_(queue), ticket_(ticket), options_(options), progress_(progress),
      done_(std::move(done)), soon_(loop), deadline_(loop), tick_(loop), heartbeat_(loop) {}

Waiter::~Waiter() = default;

void Waiter::start() {
    if (options_.timeout && options_.timeout->count() > 0)
        deadline_.start(*options_.timeout, [this] { finish(WaitOutcome::not_acquired); });
    // A waiter does not spend an inotify instance on its own file: it notices
    // its removal at each wake-up and on this tick.
    tick_.start_repeating(progress_.shown() ? tick_every_shown : tick_every_quiet, [this] {
        if (!ticket_.still_mine()) return finish(WaitOutcome::lost);
        // Redrawn (ages move on) from a look of its own: a waiter is woken
        // only by its blocker, and the holder or its place may have changed.
        if (!progress_.shown()) return;
        if (auto view = queue_.view(ticket_); view.present) progress_.update(view, queue_);
    });
    // Waiting entries keep their heartbeat fresh too, for other hosts.
    heartbeat_.start_repeating(Duration(ticket_.record().ttl_ms / 3), [this] { ticket_.heartbeat(); });
    evaluate();
}

void Waiter::stop() {
    finished_ = true;
    waits_.clear();
    soon_.stop();
    deadline_.stop();
    tick_.stop();
    heartbeat_.stop();
}

void Waiter::finish(WaitOutcome outcome) {
    if (finished_) return;
    stop();
    progress_.finish();
    done_(outcome);
}

void Waiter::evaluate_soon() {
    soon_.start(Duration(0), [this] { evaluate(); });
}

void Waiter::evaluate() {
    if (finished_) return;
    waits_.clear();
    while (true) {
        if (wait_for_evicted()) return;
        auto woke = std::exchange(woke_, std::nullopt);
        std::optional<WaitPlan> looked;
        try {
            looked = queue_.plan_and_grant(ticket_, woke ? &*woke : nullptr);
        } catch (const Error&) { // DIR removed (.token gone with it): our file went too
            if (!ticket_.still_mine()) return finish(WaitOutcome::lost);
            throw;
        }
        if (!looked) { // the token lock is held by a stopped or hostile process
            if (token_lock_busy_.out_of_patience() && nonblocking()) return finish(WaitOutcome::not_acquired);
            soon_.start(token_lock_retry_every, [this] { evaluate(); });
            return;
        }
        token_lock_busy_.reset();
        auto& plan = *looked;
        if (!plan.present || !ticket_.still_mine()) return finish(WaitOutcome::lost);
        if (!plan.conflict.empty()) {
            conflict_ = "the lock mode: " + plan.conflict;
            return finish(WaitOutcome::conflict);
        }
        if (plan.granted) return finish(WaitOutcome::granted);
        progress_.update(plan, queue_);
        bool look_again = false;
        for (const auto& watch : plan.watch) look_again = look_again || arm(watch) == Armed::look_again;
        if (look_again) {
            waits_.clear();
            continue; // an entry left or was stale: the plan changed
        }
        if (nonblocking()) return finish(WaitOutcome::not_acquired);
        return;
    }
}

// After --cut=preempt: the evicted holders' commands must be gone first.
bool Waiter::wait_for_evicted() {
    const auto* evicted = ticket_.evicted_still_running();
    if (!evicted) return false;
    auto wait = std::make_unique<EntryWait>(loop_);
    wait->lock.start(evicted->fd.get(), os::LockKind::owner, [this] { evaluate_soon(); });
    waits_.push_back(std::move(wait));
    return true;
}

Waiter::Armed Waiter::arm(const Watch& watch) {
    auto probe = queue_.probe(watch.entry);
    if (!probe.exists) return Armed::look_again;
    auto verdict = judge_owner(probe.facts);
    if (verdict.liveness == Liveness::stale) {
        queue_.remove_stale(watch.entry, probe, verdict);
        return Armed::look_again;
    }
    // Found granted (typically since my look): the plan is out of date (a
    // slot it did not see free may be mine now), so look again. Once per
    // entry (a grant is for good): a plan that still waits for the grant of
    // an entry already granted (slots entries cut in line ahead of us both)
    // waits for it to go instead.
    if (watch.kind == WatchKind::grant && !probe.waiting &&
        looked_again_for_grant_of_ != watch.entry) {
        looked_again_for_grant_of_ = watch.entry;
        return Armed::look_again;
    }
    if (nonblocking()) return Armed::waiting; // alive: not acquired, nothing to arm
    auto wait = std::make_unique<EntryWait>(loop_);
    auto& w = *wait;
    waits_.push_back(std::move(wait));
    switch (verdict.liveness) {
    case Liveness::alive_locked: {
        bool departure = watch.kind == WatchKind::departure && !options_.poll;
        if (departure && slots_departure_may_decide(ticket_.name())) {
            // One of the N ahead gone may be enough to hold without reading
            // the queue again (slots_may_hold_after_departure).
            arm_deciding(w, probe.fd.get(), watch, false);
            break;
        }
        if (departure && departure_may_decide(ticket_.name(), watch.entry)) {
            // Its content once it is gone tells whether it was granted: often
            // enough to hold without reading the queue again.
            arm_deciding(w, probe.fd.get(), watch, true);
            break;
        }
        // Waiting for a grant of an entry already granted (above) is waiting for it to go.
        bool grant = watch.kind == WatchKind::grant && probe.waiting;
        // What it records at its grant may be enough to decide without
        // reading the queue again (slots_plan_after_grant), if its mark is
        // tested held now, not taken for held from its record (see
        // still_waiting): the list then dates from after my look.
        if (grant && !options_.poll && slots_departure_may_decide(ticket_.name()) &&
            os::marked_waiting(probe.fd.get()) == true) {
            arm_deciding(w, probe.fd.get(), watch, true);
            break;
        }
        arm_lock(w, probe.fd.get(), grant ? os::LockKind::waiting : os::LockKind::owner, watch.entry);
        break;
    }
    case Liveness::alive_owner:
        arm_file(w, watch.entry);
        w.owner.start(static_cast<pid_t>(probe.record->pid), options_.poll_interval,
                      [this] { evaluate_soon(); });
        break;
    default: // alive_lease
        arm_file(w, watch.entry);
        w.timer.start(verdict.recheck_in, [this] { evaluate_soon(); });
        break;
    }
    // The watches were set after the probe: if it went in between, look again now.
    return queue_.dir().stat_entry(watch.entry.str()) ? Armed::waiting : Armed::look_again;
}

// Waits on the watched entry's owner lock (a departure) or waiting mark (a
// grant); what happened, with the file's content as read then if `read`,
// goes to the next look (woke_), which may decide from it without a read.
void Waiter::arm_deciding(EntryWait& wait, int fd, const Watch& watch, bool read) {
    auto kind = watch.kind == WatchKind::grant ? os::LockKind::waiting : os::LockKind::owner;
    wait.lock.start_reading(fd, kind, read ? Record::max_size : 0,
                            [this, watch](std::optional<std::string> content) {
                                woke_ = WakeUp{watch.entry, watch.kind, std::move(content)};
                                evaluate_soon();
                            });
}

void Waiter::arm_lock(EntryWait& wait, int fd, os::LockKind kind, const EntryName& entry) {
    if (!options_.poll) return wait.lock.start(fd, kind, [this] { evaluate_soon(); });
    // Poll mode: never block on a lock another host may hold; look every interval.
    wait.fd = os::duplicate(fd);
    wait.timer.start_repeating(options_.poll_interval, [this, &wait, kind, entry] {
        int f = wait.fd.get();
        // A mark that cannot be tested is not taken for gone: the entry's
        // removal still ends the wait.
        bool free = kind == os::LockKind::waiting ? !os::marked_waiting(f).value_or(true)
                                                  : os::try_lock_exclusive(f);
        if (kind == os::LockKind::owner && free) os::unlock(f);
        if (free || !queue_.dir().stat_entry(entry.str())) evaluate_soon();
    });
}

void Waiter::arm_file(EntryWait& wait, const EntryName& entry) {
    wait.file.start(queue_.dir().path_of(entry.str()), options_.poll_interval, options_.poll,
                    [this] { evaluate_soon(); });
}

} // namespace coordctl
