#include "cmd/lock.hpp"

#include "cli.hpp"
#include "core/error.hpp"
#include "core/exit_codes.hpp"
#include "os/loop.hpp"
#include "os/process.hpp"
#include "protocol/hold.hpp"
#include "protocol/progress.hpp"
#include "protocol/reentry.hpp"
#include "protocol/waiter.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace coordctl {

namespace {

[[noreturn]] void exec_in_place(const std::vector<std::string>& argv) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    int err = errno;
    throw Error(err == ENOENT ? exit_code::not_found : exit_code::cannot_exec,
                fmt::format("cannot run command: {}: {}", argv[0], std::strerror(err)));
}

// One run of `coordctl lock`: join, wait, hold, release, on one loop.
class LockSession {
  public:
    LockSession(const LockOptions& o, Queue& queue, std::vector<std::string> argv)
        : o_(o), queue_(queue), argv_(std::move(argv)),
          progress_(choose_progress_style(o.quiet, o.verbose), o.dir) {}

    int run() {
        ticket_ = queue_.join({Mode::exclusive, Priority::normal, o_.label, argv_, default_ttl});
        WaitOptions wait;
        if (o_.nonblock) wait.timeout = Duration(0);
        else wait.timeout = o_.timeout;
        waiter_.emplace(loop_, queue_, *ticket_, wait, progress_,
                        [this](WaitOutcome outcome) { on_wait_done(outcome); });
        for (int sig : forwarded_signals)
            signals_.push_back(std::make_unique<os::SignalWatch>(loop_, sig, [this](int s) { on_signal(s); }));
        waiter_->start();
        loop_.run();
        return result_;
    }
    int fatal_signal() const { return fatal_signal_; }

  private:
    void on_wait_done(WaitOutcome outcome) {
        switch (outcome) {
        case WaitOutcome::granted: return start_hold();
        case WaitOutcome::not_acquired:
            if (!o_.quiet)
                fmt::print(stderr, "coordctl: {} {}: {}\n",
                           o_.nonblock ? "lock is held by" : "timed out; lock is held by",
                           progress_.holder(), o_.dir);
            return end(o_.conflict_exit_code);
        case WaitOutcome::lost:
            fmt::print(stderr, "coordctl: wait file removed while waiting: {}\n", ticket_->path());
            return end(exit_code::lost);
        }
    }

    void start_hold() {
        HoldOptions hold;
        hold.child.argv = argv_;
        hold.child.kill_with_parent = o_.orphan_kill;
        hold.child.env = child_environment({{"COORDCTL_TOKEN", std::to_string(ticket_->name().token)},
                                            {"COORDCTL_DIR", absolute_path(queue_.dir().path())},
                                            {"COORDCTL_WAIT_FILE", absolute_path(ticket_->path())}});
        hold.kill_after = o_.kill_after;
        hold_.emplace(loop_, *ticket_, std::move(hold), [this](int code) { end(code); });
        hold_->start();
    }

    void on_signal(int sig) {
        if (hold_) return hold_->relay(sig);
        if (sig == SIGWINCH) return;
        waiter_->stop();
        progress_.finish();
        fatal_signal_ = sig;
        end(exit_code::signal_base + sig);
    }

    void end(int code) {
        result_ = code;
        ticket_->leave();
        loop_.stop();
    }

    const LockOptions& o_;
    Queue& queue_;
    std::vector<std::string> argv_;
    Progress progress_;
    std::unique_ptr<Ticket> ticket_;
    os::Loop loop_; // after the ticket: handles close before it is released
    std::optional<Waiter> waiter_;
    std::optional<Hold> hold_;
    std::vector<std::unique_ptr<os::SignalWatch>> signals_;
    int result_ = exit_code::internal;
    int fatal_signal_ = 0;
};

} // namespace

int run_lock(const LockOptions& o) {
    auto argv = command_argv(o.command);
    Queue queue = Queue::open(o.dir, !o.no_create);
    if (inside_hold_of(queue.dir())) exec_in_place(argv);
    os::become_subreaper();
    int code;
    int sig;
    {
        LockSession session(o, queue, std::move(argv));
        code = session.run();
        sig = session.fatal_signal();
    }
    die_of_signal(sig); // cancelled by a signal: die of it, as the caller expects
    return code;
}

void add_lock_command(CLI::App& app, std::function<int()>& run) {
    auto* cmd = app.add_subcommand("lock", "Run a command while holding a fair, crash-safe lock on DIR");
    auto o = std::make_shared<LockOptions>();
    auto timeout = std::make_shared<std::string>();
    auto kill_after = std::make_shared<std::string>();
    auto orphan = std::make_shared<std::string>("keep");
    cmd->add_option("DIR", o->dir, "Queue directory (created if missing)")->required();
    cmd->add_option("CMD", o->command.command, "Command and arguments (after --)");
    auto* c = cmd->add_option("-c,--command", o->command.shell_command, "Run STRING with $SHELL -c");
    auto* n = cmd->add_flag("-n,--nonblock", o->nonblock, "Fail (exit 75) instead of waiting");
    auto* w = cmd->add_option("-w,--timeout", *timeout, "Give up (exit 75) after DUR")->type_name("DUR");
    n->excludes(w);
    cmd->add_option("-E,--conflict-exit-code", o->conflict_exit_code,
                    "Exit code when not acquired (default 75)")
        ->check(CLI::Range(0, 255));
    cmd->add_option("--id", o->label, "Label shown to other waiters and in status")->type_name("LABEL");
    cmd->add_option("--kill-after", *kill_after, "SIGKILL the command DUR after SIGTERM (default 10s)")
        ->type_name("DUR");
    cmd->add_option("--orphan", *orphan, "If coordctl dies: keep the command (default) or kill it")
        ->check(CLI::IsMember({"keep", "kill"}))
        ->type_name("keep|kill");
    cmd->add_flag("--no-create", o->no_create, "Fail if DIR does not exist");
    auto* q = cmd->add_flag("-q,--quiet", o->quiet, "No progress line, no conflict message");
    auto* v = cmd->add_flag("-v,--verbose", o->verbose, "Log each change while waiting");
    q->excludes(v);
    (void)c;
    run = [o, timeout, kill_after, orphan] {
        if (!timeout->empty()) o->timeout = parse_duration_option("--timeout", *timeout);
        if (!kill_after->empty()) o->kill_after = parse_duration_option("--kill-after", *kill_after);
        o->orphan_kill = *orphan == "kill";
        require_one_command(o->command, "lock");
        return run_lock(*o);
    };
}

} // namespace coordctl
