#include "protocol/campaign.hpp"

#include "core/exit_codes.hpp"
#include "core/progress.hpp"
#include "os/terminal.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <unistd.h>

namespace coordctl {

namespace {
// Forwarded to the command while held; while waiting, all but SIGWINCH cancel.
// SIGALRM is SPEC §3's list plus the usual "time is up" (timeout -s ALRM).
constexpr int handled_signals[] = {SIGINT,  SIGTERM, SIGHUP,   SIGQUIT,
                                   SIGUSR1, SIGUSR2, SIGWINCH, SIGALRM};
} // namespace

std::vector<std::unique_ptr<os::SignalWatch>>
watch_signals(os::Loop& loop, std::function<void(int)> fn, bool unless_ignored) {
    std::vector<std::unique_ptr<os::SignalWatch>> watches;
    for (int sig : handled_signals) {
        struct sigaction old {};
        if (unless_ignored && ::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        watches.push_back(std::make_unique<os::SignalWatch>(loop, sig, fn));
    }
    return watches;
}

Campaign::Campaign(os::Loop& loop, Queue& queue, const CampaignOptions& options,
                   std::function<void(CampaignResult)> done)
    : loop_(loop), queue_(queue), options_(options), done_(std::move(done)),
      progress_(choose_progress_style(options.quiet, options.verbose), queue.dir().path()),
      join_retry_(loop), evicted_wait_(loop), evicted_heartbeat_(loop) {
    // `path=$(coordctl lock DIR --hold)` in a script killed meanwhile: the
    // path could never be read, so the wait ends as on SIGPIPE.
    if (options.hand_over)
        reader_gone_.emplace(loop, STDOUT_FILENO, [this] { on_signal(SIGPIPE); });
}

Campaign::~Campaign() = default;

void Campaign::start() {
    auto since = std::chrono::steady_clock::now();
    if (!join_tried_since_) join_tried_since_ = since;
    ticket_ = queue_.try_join(options_.join);
    if (!ticket_) return wait_to_join();
    if (!options_.hand_over)
        child_env_ = child_environment(*ticket_, queue_.dir().path(), options_.hold.child.env);
    // -w counts from the start, time spent waiting to join included.
    WaitOptions wait = options_.wait;
    auto waited = std::chrono::duration_cast<Duration>(since - *std::exchange(join_tried_since_, std::nullopt));
    if (wait.timeout && wait.timeout->count() > 0)
        wait.timeout = std::max(Duration(1), *wait.timeout - waited);
    waiter_.emplace(loop_, queue_, *ticket_, wait, progress_,
                    [this](WaitOutcome outcome) { on_wait_done(outcome); });
    waiter_->start();
}

// Nobody else can join meanwhile either: look again from the loop, within
// -n (see token_lock_patience) or -w, while signals still cancel.
void Campaign::wait_to_join() {
    auto waited = std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - *join_tried_since_);
    auto limit = options_.wait.timeout;
    if (options_.nonblock) limit = token_lock_patience;
    auto next_try = next_join_lock_try(waited, limit);
    if (!next_try) return join_lock_held();
    if (options_.verbose && !said_join_lock_held_)
        os::eprint("coordctl: waiting for the queue's join lock, held by another process: {}\n",
                   queue_.dir().path_of(token_file));
    said_join_lock_held_ = true;
    join_retry_.start(*next_try, [this] { start(); });
}

void Campaign::join_lock_held() {
    not_acquired("the queue's join lock is held too long by another process",
                 queue_.dir().path_of(token_file));
}

void Campaign::not_acquired(const std::string& why, const std::string& path) {
    if (!options_.quiet)
        os::eprint("coordctl: {}{}: {}\n", options_.nonblock ? "" : "timed out; ", why, path);
    end({options_.conflict_exit_code, 0, false});
}

void Campaign::on_wait_done(WaitOutcome outcome) {
    const auto& dir = queue_.dir().path();
    switch (outcome) {
    case WaitOutcome::granted: return options_.hand_over ? hand_over() : start_hold();
    case WaitOutcome::not_acquired:
        if (waiter_->token_lock_busy()) return join_lock_held();
        // --cut=preempt: still waiting for an evicted command, no holder left to name.
        if (const auto* evicted = ticket_->evicted_still_running())
            return not_acquired("the evicted holder's command is still running",
                                queue_.dir().path_of(evicted->entry.str()));
        return not_acquired("lock is held by " + progress_.holder(), dir);
    case WaitOutcome::lost:
        os::eprint("coordctl: wait file removed while waiting: {}\n", ticket_->path());
        return end({exit_code::lost, 0, false});
    case WaitOutcome::conflict:
        os::eprint("coordctl: {}\n", format_disagreement(dir, waiter_->conflict()));
        return end({exit_code::usage, 0, false});
    }
}

void Campaign::hand_over() {
    // A path the caller did not get is a hold nobody can release: leave.
    std::fputs((absolute_path(ticket_->path()) + "\n").c_str(), stdout);
    if (int err = os::flush_standard_output()) {
        // Nobody reads it (the pipe's reader is gone): die of SIGPIPE, as
        // without coordctl, once the entry is removed.
        if (err == EPIPE) return end({exit_code::signal_base + SIGPIPE, SIGPIPE, false});
        os::eprint("coordctl: cannot write the wait file's path: standard output: {}\n",
                   std::strerror(err));
        return end({exit_code::io_error, 0, false});
    }
    ticket_->hand_over();
    end({exit_code::ok, 0, false});
}

void Campaign::start_hold() {
    HoldOptions hold = options_.hold;
    hold.child.env = std::move(child_env_);
    hold_.emplace(loop_, *ticket_, std::move(hold), [this](int code, bool lost) {
        end({code, 0, lost});
    });
    hold_->start();
}

void Campaign::on_signal(int sig) {
    if (!done_) return;
    if (ending_) return leave_before_evicted(sig);
    if (hold_) return hold_->relay(sig);
    if (sig == SIGWINCH) return;
    join_retry_.stop();
    if (waiter_) waiter_->stop();
    progress_.finish();
    end({exit_code::signal_base + sig, sig, false});
}

void Campaign::end(CampaignResult result) {
    if (ticket_ && !evicted_gone(result)) return;
    evicted_heartbeat_.stop();
    if (ticket_) ticket_->leave();
    auto done = std::move(done_);
    done_ = nullptr;
    if (done) done(result);
}

// Given up (-w, a signal) after --cut=preempt while a command it evicted
// still runs: the entry stays, its heartbeat kept, until that command is
// gone (normally within its coordctl's --kill-after; an orphaned command
// keeps it until it exits), or the next waiter would run beside it.
bool Campaign::evicted_gone(const CampaignResult& result) {
    const auto* evicted = ticket_->evicted_still_running();
    if (!evicted) return true;
    if (!ticket_->still_mine()) { // lost: no entry left to keep
        ticket_->forget_evicted();
        return true;
    }
    if (!ending_) {
        if (!options_.quiet)
            os::eprint("coordctl: leaving once the evicted holder's command has stopped "
                       "({} leaves at once): {}\n",
                       result.fatal_signal ? "a second signal" : "a signal",
                       queue_.dir().path_of(evicted->entry.str()));
        ending_ = true;
        ending_result_ = result;
        evicted_heartbeat_.start_repeating(Duration(ticket_->record().ttl_ms / 3),
                                           [this] { ticket_->heartbeat(); });
    }
    evicted_wait_.start(evicted->fd.get(), os::LockKind::owner, [this] { end(ending_result_); });
    return false;
}

// A signal while waiting for them: the user's call, said plainly; the exit
// is this signal's.
void Campaign::leave_before_evicted(int sig) {
    if (sig == SIGWINCH) return;
    if (const auto* evicted = ticket_->evicted_still_running())
        os::eprint("coordctl: leaving before the evicted holder's command has stopped; "
                   "the next waiter may run beside it: {}\n",
                   queue_.dir().path_of(evicted->entry.str()));
    evicted_wait_.stop();
    ticket_->forget_evicted();
    end({exit_code::signal_base + sig, sig, false});
}

} // namespace coordctl
