#include "cmd/lock.hpp"

#include "cli.hpp"
#include "core/error.hpp"
#include "core/exit_codes.hpp"
#include "os/loop.hpp"
#include "os/process.hpp"
#include "os/terminal.hpp"
#include "protocol/hold.hpp"
#include "protocol/progress.hpp"
#include "protocol/reentry.hpp"
#include "protocol/waiter.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace coordctl {

namespace {

// Signals forwarded to the command while held (SPEC §3). While waiting, all
// but SIGWINCH cancel the wait.
constexpr int handled_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

std::vector<std::string> command_argv(const LockOptions& o) {
    if (o.shell_command.empty()) return o.command;
    const char* shell = std::getenv("SHELL");
    return {shell != nullptr && *shell != '\0' ? shell : "/bin/sh", "-c", o.shell_command};
}

std::string absolute(const std::string& path) {
    if (!path.empty() && path[0] == '/') return path;
    char cwd[4096];
    if (::getcwd(cwd, sizeof cwd) == nullptr) return path;
    return std::string(cwd) + "/" + path;
}

[[noreturn]] void exec_in_place(const std::vector<std::string>& argv) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    int err = errno;
    throw Error(err == ENOENT ? exit_code::not_found : exit_code::cannot_exec,
                fmt::format("cannot run command: {}: {}", argv[0], std::strerror(err)));
}

// One run of `coordctl lock`: join, wait, hold (or hand over), release, on one loop.
class LockSession {
  public:
    LockSession(const LockOptions& o, Queue& queue, std::vector<std::string> argv)
        : o_(o), queue_(queue), argv_(std::move(argv)),
          progress_(choose_progress_style(o.quiet, o.verbose), o.dir) {}

    int run() {
        ticket_ = queue_.join(join_request());
        waiter_.emplace(loop_, queue_, *ticket_, wait_options(), progress_,
                        [this](WaitOutcome outcome) { on_wait_done(outcome); });
        for (int sig : handled_signals)
            signals_.push_back(std::make_unique<os::SignalWatch>(loop_, sig, [this](int s) { on_signal(s); }));
        waiter_->start();
        loop_.run();
        return result_;
    }
    int fatal_signal() const { return fatal_signal_; }

  private:
    JoinRequest join_request() const {
        JoinRequest request;
        request.mode = o_.mode;
        request.slots = o_.slots;
        request.priority = o_.cut ? Priority::cut : Priority::normal;
        request.preempt = o_.preempt;
        request.label = o_.label;
        request.command = argv_;
        request.ttl = o_.ttl;
        if (o_.hold) request.hold_owner = o_.owner_pid != 0 ? o_.owner_pid : ::getppid();
        return request;
    }

    WaitOptions wait_options() const {
        WaitOptions wait;
        if (o_.nonblock) wait.timeout = Duration(0);
        else wait.timeout = o_.timeout;
        wait.poll_interval = o_.poll_interval;
        wait.poll = poll_mode();
        return wait;
    }

    bool poll_mode() const { return o_.poll || os::is_network_filesystem(queue_.dir().fd()); }

    void on_wait_done(WaitOutcome outcome) {
        switch (outcome) {
        case WaitOutcome::granted: return o_.hold ? hand_over() : start_hold();
        case WaitOutcome::not_acquired:
            if (!o_.quiet)
                fmt::print(stderr, "coordctl: {} {}: {}\n",
                           o_.nonblock ? "lock is held by" : "timed out; lock is held by",
                           progress_.holder(), o_.dir);
            return end(o_.conflict_exit_code);
        case WaitOutcome::lost:
            fmt::print(stderr, "coordctl: wait file removed while waiting: {}\n", ticket_->path());
            return end(exit_code::lost);
        case WaitOutcome::conflict:
            fmt::print(stderr, "coordctl: participants of {} disagree on the lock mode: {}\n",
                       o_.dir, waiter_->conflict());
            return end(exit_code::usage);
        }
    }

    // --hold: the entry now belongs to its recorded owner; print where it is.
    void hand_over() {
        fmt::print("{}\n", absolute(ticket_->path()));
        std::fflush(stdout);
        ticket_->hand_over();
        result_ = exit_code::ok;
        loop_.stop();
    }

    void start_hold() {
        HoldOptions hold;
        hold.child.argv = argv_;
        hold.child.kill_with_parent = o_.orphan_kill;
        hold.child.env = child_environment({{"COORDCTL_TOKEN", std::to_string(ticket_->name().token)},
                                            {"COORDCTL_DIR", absolute(queue_.dir().path())},
                                            {"COORDCTL_WAIT_FILE", absolute(ticket_->path())}});
        hold.kill_after = o_.kill_after;
        hold.poll_interval = o_.poll_interval;
        hold.poll = poll_mode();
        hold_.emplace(loop_, *ticket_, std::move(hold), [this](int code) { end(code); });
        hold_->start();
    }

    void on_signal(int sig) {
        if (hold_) {
            // A terminal already sent its ^C/^\ and resizes to the command itself.
            bool from_terminal = sig == SIGINT || sig == SIGQUIT || sig == SIGWINCH;
            if (!(from_terminal && os::in_terminal_foreground())) hold_->forward(sig);
            return;
        }
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

// Inside a hold of the same DIR: run at once under it, unless that would
// need more than the outer hold gives.
void run_nested(const LockOptions& o, const EntryName& outer, const std::vector<std::string>& argv) {
    if (o.mode == Mode::exclusive && outer.mode != Mode::exclusive)
        throw Error(o.conflict_exit_code,
                    "cannot take an exclusive lock inside a shared hold of the same directory", o.dir);
    exec_in_place(argv);
}

} // namespace

int run_lock(const LockOptions& o) {
    auto argv = o.hold ? std::vector<std::string>{} : command_argv(o);
    Queue queue = Queue::open(o.dir, !o.no_create);
    if (!o.hold) {
        if (auto outer = inside_hold_of(queue.dir())) run_nested(o, *outer, argv);
    }
    os::become_subreaper();
    int code;
    int sig;
    {
        LockSession session(o, queue, std::move(argv));
        code = session.run();
        sig = session.fatal_signal();
    }
    if (sig != 0) {
        // Cancelled by a signal: die of it, as the caller expects.
        std::signal(sig, SIG_DFL);
        ::raise(sig);
    }
    return code;
}

namespace {

// Options whose values need checking beyond CLI11's: kept as text until run.
struct RawLockOptions {
    std::string timeout, kill_after, ttl, poll_interval;
    std::string orphan = "keep";
    std::string cut;
    bool shared = false;
    std::uint32_t slots = 0;
};

void finish_options(LockOptions& o, const RawLockOptions& raw) {
    if (!raw.timeout.empty()) o.timeout = parse_duration_option("--timeout", raw.timeout);
    if (!raw.kill_after.empty()) o.kill_after = parse_duration_option("--kill-after", raw.kill_after);
    if (!raw.ttl.empty()) o.ttl = parse_duration_option("--ttl", raw.ttl);
    if (!raw.poll_interval.empty())
        o.poll_interval = parse_duration_option("--poll-interval", raw.poll_interval);
    if (o.ttl.count() < 3) throw UsageError("--ttl: must be at least 3ms", "");
    if (o.poll_interval.count() < 1) throw UsageError("--poll-interval: must be positive", "");
    o.orphan_kill = raw.orphan == "kill";
    o.mode = raw.shared ? Mode::shared : raw.slots > 0 ? Mode::slots : Mode::exclusive;
    o.slots = raw.slots;
    o.cut = !raw.cut.empty();
    o.preempt = raw.cut == "preempt";
    if (o.owner_pid != 0 && !o.hold) throw UsageError("--owner-pid needs --hold", "");
    if (o.hold && !(o.command.empty() && o.shell_command.empty()))
        throw UsageError("--hold runs no command: drop the command or --hold", "");
    if (!o.hold && o.command.empty() == o.shell_command.empty())
        throw UsageError(o.command.empty() ? "a command is required: lock DIR -- CMD, -c STRING or --hold"
                                           : "--command and a command after -- exclude each other",
                         "");
}

} // namespace

void add_lock_command(CLI::App& app, std::function<int()>& run) {
    auto* cmd = app.add_subcommand("lock", "Run a command while holding a fair, crash-safe lock on DIR");
    auto o = std::make_shared<LockOptions>();
    auto raw = std::make_shared<RawLockOptions>();
    cmd->add_option("DIR", o->dir, "Queue directory (created if missing)")->required();
    cmd->add_option("CMD", o->command, "Command and arguments (after --)");
    cmd->add_option("-c,--command", o->shell_command, "Run STRING with $SHELL -c")->type_name("STRING");
    auto* shared = cmd->add_flag("-s,--shared", raw->shared, "Read lock: share with other --shared holders");
    auto* slots = cmd->add_option("--slots", raw->slots, "Semaphore: at most N holders at once")
                      ->check(CLI::Range(1u, max_slots))
                      ->type_name("N");
    shared->excludes(slots);
    cmd->add_flag("--cut{line}", raw->cut, "Go ahead of every waiter; --cut=preempt also evicts the holders")
        ->check(CLI::IsMember({"line", "preempt"}))
        ->type_name("[=preempt]");
    auto* hold = cmd->add_flag("--hold", o->hold, "No command: print the wait file once held and leave it");
    cmd->add_option("--owner-pid", o->owner_pid, "With --hold: the process owning the hold (default: parent)")
        ->check(CLI::PositiveNumber)
        ->type_name("PID");
    auto* n = cmd->add_flag("-n,--nonblock", o->nonblock, "Fail (exit 75) instead of waiting");
    auto* w = cmd->add_option("-w,--timeout", raw->timeout, "Give up (exit 75) after DUR")->type_name("DUR");
    n->excludes(w);
    cmd->add_option("-E,--conflict-exit-code", o->conflict_exit_code,
                    "Exit code when not acquired (default 75)")
        ->check(CLI::Range(0, 255));
    cmd->add_option("--id", o->label, "Label shown to other waiters and in status")->type_name("LABEL");
    cmd->add_option("--ttl", raw->ttl, "Lease for other hosts: heartbeat every TTL/3 (default 30s)")
        ->type_name("DUR");
    cmd->add_option("--kill-after", raw->kill_after, "SIGKILL the command DUR after SIGTERM (default 10s)")
        ->type_name("DUR");
    auto* orphan = cmd->add_option("--orphan", raw->orphan, "If coordctl dies: keep the command (default) or kill it")
        ->check(CLI::IsMember({"keep", "kill"}))
        ->type_name("keep|kill");
    hold->excludes(orphan);
    cmd->add_flag("--poll", o->poll, "Poll instead of inotify and lock waits (as on network filesystems)");
    cmd->add_option("--poll-interval", raw->poll_interval, "How often to poll (default 200ms)")
        ->type_name("DUR");
    cmd->add_flag("--no-create", o->no_create, "Fail if DIR does not exist");
    auto* q = cmd->add_flag("-q,--quiet", o->quiet, "No progress line, no conflict message");
    auto* v = cmd->add_flag("-v,--verbose", o->verbose, "Log each change while waiting");
    q->excludes(v);
    run = [o, raw] {
        finish_options(*o, *raw);
        return run_lock(*o);
    };
}

} // namespace coordctl
