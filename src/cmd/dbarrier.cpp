#include "cmd/dbarrier.hpp"

#include "cli.hpp"
#include "cmd/commands.hpp"
#include "core/exit_codes.hpp"
#include "core/progress.hpp"
#include "core/round.hpp"
#include "os/files.hpp"
#include "os/loop.hpp"
#include "os/process.hpp"
#include "os/terminal.hpp"
#include "protocol/campaign.hpp"
#include "protocol/hold.hpp"
#include "protocol/progress.hpp"
#include "protocol/round.hpp"
#include "protocol/round_wait.hpp"

#include <fmt/format.h>

#include <csignal>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace coordctl {

namespace {

struct DbarrierOptions {
    std::string dir;
    std::vector<std::string> command;
    std::string shell_command; // -c
    std::size_t count = 0;
    std::string id;
    bool quiet = false; // no progress line
    WaitOptions wait;   // timeout: to enter
};

// Asking coordctl to stop (rather than telling the command something).
bool is_stop_request(int sig) {
    return sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT || sig == SIGALRM;
}

// One participant: join, enter, run the command, exit, on one loop.
class DbarrierSession {
  public:
    DbarrierSession(const DbarrierOptions& o, Queue& queue, std::vector<std::string> argv)
        : o_(o), queue_(queue), rounds_(queue, o.count), argv_(std::move(argv)), wait_(o.wait) {
        wait_.poll = wait_.poll || os::is_network_filesystem(queue.dir().fd());
    }

    int run() {
        signals_ = watch_signals(loop_, [this](int s) { on_signal(s); });
        started_ = std::chrono::steady_clock::now();
        enter();
        loop_.run();
        return result_;
    }
    int fatal_signal() const { return fatal_signal_; }

  private:
    enum class Phase { entering, running, exiting, done };

    // While another process holds the join lock, look again from the loop:
    // within -w (counted from the start); signals still cancel.
    void enter() {
        JoinRequest join;
        join.mode = Mode::shared;
        join.label = o_.id;
        join.command = argv_;
        join.count = o_.count;
        auto entered = rounds_.enter(join);
        auto limit = o_.wait.timeout;
        if (!entered) {
            auto next_try = next_join_lock_try(waited(started_), limit);
            if (!next_try) return join_lock_held();
            return join_retry_.start(*next_try, [this] { enter(); });
        }
        if (limit) wait_.timeout = std::max(Duration(1), *limit - waited(started_));
        ticket_ = std::move(entered->ticket);
        on_enter_result(std::move(*entered));
    }

    void join_lock_held() {
        os::eprint("coordctl: timed out; the queue's join lock is held too long by another "
                   "process: {}\n",
                   queue_.dir().path_of(token_file));
        end(exit_code::conflict);
    }

    void on_enter_result(EnterResult result) {
        switch (result.step) {
        case EnterStep::entered:
            return start_command(std::move(*result.round));
        case EnterStep::wait:
            return wait_to_enter();
        case EnterStep::round_running:
            return refuse(
                fmt::format("a round of {} is already running", result.round->members.size()));
        case EnterStep::round_full:
            return refuse(fmt::format("the round is already full ({} participants)", o_.count));
        case EnterStep::conflict:
            os::eprint("coordctl: {}\n", format_disagreement(o_.dir, result.conflict));
            return end(exit_code::usage);
        default:
            return lost();
        }
    }

    // Time spent since then (the start, or a progress line's phase).
    Duration waited(std::chrono::steady_clock::time_point since) const {
        return std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - since);
    }

    void wait_to_enter() {
        line_.start([this, since = std::chrono::steady_clock::now()] {
            return format_fill_status(o_.dir, queue_.entries().size(), o_.count, waited(since));
        });
        enter_wait_.emplace(loop_, rounds_, *ticket_, wait_,
                            [this](EnterOutcome outcome, std::optional<Round> round) {
                                on_enter_wait_done(outcome, std::move(round));
                            });
        enter_wait_->start();
    }

    void on_enter_wait_done(EnterOutcome outcome, std::optional<Round> round) {
        if (outcome == EnterOutcome::entered) return start_command(std::move(*round));
        if (outcome == EnterOutcome::lost) return lost();
        if (outcome == EnterOutcome::join_lock_held) return join_lock_held();
        os::eprint("coordctl: timed out; fewer than {} participants entered: {}\n", o_.count,
                   o_.dir);
        end(exit_code::conflict);
    }

    void refuse(const std::string& why) {
        os::eprint("coordctl: {}: {}\n", why, o_.dir);
        end(exit_code::failure);
    }

    void lost() {
        os::eprint("coordctl: wait file removed while waiting: {}\n", ticket_->path());
        end(exit_code::lost);
    }

    void start_command(Round round) {
        line_.stop();
        phase_ = Phase::running;
        round_ = std::move(round);
        ticket_->mark_granted(nullptr); // status shows the members as holders
        HoldOptions hold;
        hold.child.argv = argv_;
        // A participant is its coordctl: if that dies, so does the command,
        // and the others do not wait for it.
        hold.child.kill_with_parent = true;
        hold.child_keeps_entry = false;
        hold.child.env = child_environment(*ticket_, queue_.dir().path(),
                                           {"COORDCTL_PARTICIPANTS=" + participants_list(*round_)});
        hold.poll_interval = wait_.poll_interval;
        hold.poll = wait_.poll;
        hold_.emplace(loop_, *ticket_, std::move(hold),
                      [this](int code, bool) { on_command_done(code); });
        hold_->start();
    }

    void on_command_done(int code) {
        phase_ = Phase::exiting;
        command_status_ = code;
        ticket_->leave(); // this is how the others learn that I am done
        if (stop_requested_) return leave_round();
        line_.start([this, since = std::chrono::steady_clock::now()] {
            return format_drain_status(o_.dir, members_present(queue_.entries(), *round_).size(),
                                       o_.count, waited(since));
        });
        exit_wait_.emplace(loop_, queue_, *round_, wait_, [this] { leave_round(); });
        exit_wait_->start();
    }

    void leave_round() {
        rounds_.close(*round_);
        end(command_status_);
    }

    void on_signal(int sig) {
        if (phase_ == Phase::running) {
            stop_requested_ = stop_requested_ || is_stop_request(sig);
            return hold_->relay(sig);
        }
        if (sig == SIGWINCH || phase_ == Phase::done) return;
        // Waiting to enter or to exit: leave at once, and die of the signal.
        join_retry_.stop();
        if (enter_wait_) enter_wait_->stop();
        if (exit_wait_) exit_wait_->stop();
        fatal_signal_ = sig;
        end(exit_code::signal_base + sig);
    }

    void end(int code) {
        line_.stop();
        phase_ = Phase::done;
        result_ = code;
        if (ticket_) ticket_->leave();
        loop_.stop();
    }

    const DbarrierOptions& o_;
    Queue& queue_;
    Rounds rounds_;
    std::vector<std::string> argv_;
    WaitOptions wait_;
    std::unique_ptr<Ticket> ticket_;
    std::optional<Round> round_;
    os::Loop loop_; // after the ticket: handles close before it is released
    std::chrono::steady_clock::time_point started_;
    os::Timer join_retry_{loop_};
    ProgressLine line_{loop_, o_.quiet};
    std::optional<EnterWait> enter_wait_;
    std::optional<Hold> hold_;
    std::optional<ExitWait> exit_wait_;
    std::vector<std::unique_ptr<os::SignalWatch>> signals_;
    Phase phase_ = Phase::entering;
    bool stop_requested_ = false;
    int command_status_ = 0;
    int result_ = exit_code::internal;
    int fatal_signal_ = 0;
};

int run_dbarrier(const DbarrierOptions& o) {
    auto argv = command_or_shell(o.command, o.shell_command);
    Queue queue = Queue::open(o.dir, true);
    os::become_subreaper();
    int code;
    int sig;
    {
        DbarrierSession session(o, queue, std::move(argv));
        code = session.run();
        sig = session.fatal_signal();
    }
    os::die_of_signal(sig); // left while blocked: die of the signal, as the caller expects
    return code;
}

void check_options(DbarrierOptions& o, const std::string& timeout,
                   const std::string& poll_interval) {
    if (!timeout.empty()) o.wait.timeout = parse_duration_option("--timeout", timeout);
    if (!poll_interval.empty()) o.wait.poll_interval = parse_poll_interval(poll_interval);
    if (!o.id.empty() && !valid_participant_id(o.id))
        throw UsageError(fmt::format("--id: '{}' is not one word (no spaces or control "
                                     "characters)",
                                     o.id),
                         "dbarrier");
    if (o.command.empty() == o.shell_command.empty())
        throw UsageError(o.command.empty()
                             ? "a command is required: dbarrier DIR -- CMD, or -c STRING"
                             : "--command and a command after -- exclude each other",
                         "");
}

} // namespace

void add_dbarrier_command(Options& cli, std::function<int()>& run) {
    auto o = std::make_shared<DbarrierOptions>();
    auto timeout = std::make_shared<std::string>();
    auto poll_interval = std::make_shared<std::string>();
    cli.required("DIR", o->dir, "Barrier directory (created if missing)");
    cli.command(o->command, "Command and arguments (after --)");
    cli.shell_command(o->shell_command);
    cli.required("--count", o->count, "Number of participants in a round")
        ->check(CLI::Range(std::size_t{1}, std::size_t{100000}))
        ->type_name("N");
    cli.label("--id", o->id, "This participant's id in COORDCTL_PARTICIPANTS", "ID");
    cli.duration("-w,--timeout", *timeout, "Give up (exit 75) if the round is not full after DUR");
    cli.flag("-q,--quiet", o->quiet, "No progress line while waiting");
    cli.flag("--poll", o->wait.poll, "Poll instead of inotify and lock waits (as on network filesystems)");
    cli.duration("--poll-interval", *poll_interval, "Poll every DUR (default 200ms)");
    run = [o, timeout, poll_interval] {
        check_options(*o, *timeout, *poll_interval);
        return run_dbarrier(*o);
    };
}

} // namespace coordctl
