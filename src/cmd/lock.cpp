#include "cmd/lock.hpp"

#include "cli.hpp"
#include "cmd/commands.hpp"
#include "core/error.hpp"
#include "core/exit_codes.hpp"
#include "core/queue_order.hpp"
#include "os/files.hpp"
#include "os/host.hpp"
#include "os/loop.hpp"
#include "os/process.hpp"
#include "protocol/campaign.hpp"
#include "protocol/reentry.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace coordctl {

namespace {

[[noreturn]] void exec_in_place(const std::vector<std::string>& argv) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    os::restore_default_write_signals();
    ::execvp(args[0], args.data());
    int err = errno;
    os::ignore_write_signals(); // the message below may meet a stderr nobody reads
    throw Error(exit_code_for_spawn_errno(err),
                fmt::format("cannot run command: {}: {}", argv[0], std::strerror(err)));
}

// Inside a hold of the same DIR: run at once under it, unless that would
// need more than the outer hold gives. Modes that may not meet in one queue
// (--slots against the others, another N) are refused as they are outside.
void run_nested(const LockOptions& o, const EntryName& outer, const std::vector<std::string>& argv) {
    EntryName me;
    me.mode = o.mode;
    me.slots = o.slots;
    if (auto conflict = mode_conflict({&outer, 1}, me); !conflict.empty())
        throw Error(exit_code::usage, format_disagreement(o.dir, "the lock mode: " + conflict));
    if (o.mode == Mode::exclusive && outer.mode != Mode::exclusive)
        throw Error(o.conflict_exit_code,
                    "cannot take an exclusive lock inside a shared hold of the same directory", o.dir);
    exec_in_place(argv);
}

CampaignOptions campaign_options(const LockOptions& o, const Queue& queue, std::vector<std::string> argv) {
    CampaignOptions c;
    c.join.mode = o.mode;
    c.join.slots = o.slots;
    c.join.priority = o.cut ? Priority::cut : Priority::normal;
    c.join.preempt = o.preempt;
    c.join.label = o.label;
    c.join.command = argv;
    c.join.ttl = o.ttl;
    if (o.hold) c.join.hold_owner = o.owner_pid != 0 ? o.owner_pid : ::getppid();
    c.wait.timeout = o.nonblock ? std::optional<Duration>(Duration(0)) : o.timeout;
    c.wait.poll_interval = o.poll_interval;
    c.wait.poll = o.poll || os::is_network_filesystem(queue.dir().fd());
    c.join.look_when_joining = !c.wait.poll;
    c.hold.child.argv = std::move(argv);
    c.hold.child.kill_with_parent = o.orphan_kill;
    c.hold.kill_after = o.kill_after;
    c.hold.poll_interval = o.poll_interval;
    c.hold.poll = c.wait.poll;
    c.hand_over = o.hold;
    c.quiet = o.quiet;
    c.verbose = o.verbose;
    c.conflict_exit_code = o.conflict_exit_code;
    c.nonblock = o.nonblock;
    return c;
}

} // namespace

int run_lock(const LockOptions& o) {
    auto argv = o.hold ? std::vector<std::string>{} : command_or_shell(o.command, o.shell_command);
    Queue queue = Queue::open(o.dir, !o.no_create);
    if (!o.hold) {
        if (auto outer = inside_hold_of(queue.dir())) run_nested(o, *outer, argv);
    }
    os::become_subreaper();
    auto options = campaign_options(o, queue, std::move(argv));
    CampaignResult result;
    {
        os::Loop loop;
        Campaign campaign(loop, queue, options, [&](CampaignResult r) {
            result = r;
            loop.stop();
        });
        auto signals = watch_signals(loop, [&](int sig) { campaign.on_signal(sig); });
        campaign.start();
        loop.run();
        os::exit_now(result.code, result.fatal_signal);
    }
    os::die_of_signal(result.fatal_signal);
    return result.code;
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
    if (o.hold && !raw.kill_after.empty()) throw UsageError("--hold excludes --kill-after", "");
    // A hold for a process already gone would be stale at once.
    if (o.owner_pid != 0 && !os::process_start_time(o.owner_pid))
        throw UsageError(fmt::format("--owner-pid: no process {}", o.owner_pid), "");
    if (o.hold && !(o.command.empty() && o.shell_command.empty()))
        throw UsageError("--hold runs no command: drop the command or --hold", "");
    if (!o.hold && o.command.empty() == o.shell_command.empty())
        throw UsageError(o.command.empty() ? "a command is required: lock DIR -- CMD, -c STRING or --hold"
                                           : "--command and a command after -- exclude each other",
                         "");
}

} // namespace

void add_lock_command(Options& cli, std::function<int()>& run) {
    auto o = std::make_shared<LockOptions>();
    auto raw = std::make_shared<RawLockOptions>();
    cli.required("DIR", o->dir, "Queue directory (created if missing)");
    cli.command(o->command, "Command and arguments (after --)");
    cli.shell_command(o->shell_command);
    auto* shared = cli.flag("-s,--shared", raw->shared, "Read lock: share with other --shared holders");
    auto* slots = cli.option("--slots", raw->slots, "Semaphore: at most N holders at once");
    if (slots) slots->check(CLI::Range(1u, max_slots))->type_name("N");
    exclusive(shared, slots);
    if (auto* opt = cli.flag("--cut{line}", raw->cut, "Go ahead of every waiter; --cut=preempt also evicts the holders"))
        opt->check(CLI::IsMember({"line", "preempt"}))->type_name("[=preempt]");
    auto* hold = cli.flag("--hold", o->hold, "No command: print the wait file once held and leave it");
    cli.process_id("--owner-pid", o->owner_pid, "With --hold: the process owning the hold (default: parent)");
    auto* n = cli.flag("-n,--nonblock", o->nonblock, "Fail (exit 75) instead of waiting");
    auto* w = cli.duration("-w,--timeout", raw->timeout, "Give up (exit 75) after DUR");
    exclusive(n, w);
    if (auto* opt = cli.option("-E,--conflict-exit-code", o->conflict_exit_code, "Exit code when not acquired (default 75)"))
        opt->check(CLI::Range(0, 255));
    cli.label("--id", o->label, "Label shown to other waiters and in status", "LABEL");
    cli.duration("--ttl", raw->ttl, "Lease for other hosts: heartbeat every TTL/3 (default 30s)");
    // Not CLI11's excludes: with two, --hold's help would list them in
    // pointer order (finish_options checks it).
    cli.duration("--kill-after", raw->kill_after,
                 "SIGKILL the command DUR after SIGTERM (default 10s; not with --hold)");
    auto* orphan = cli.option("--orphan", raw->orphan, "If coordctl dies: keep the command (default) or kill it");
    if (orphan) orphan->check(CLI::IsMember({"keep", "kill"}))->type_name("keep|kill");
    exclusive(hold, orphan); // no command: nothing to kill
    cli.flag("--poll", o->poll, "Poll instead of inotify and lock waits (as on network filesystems)");
    cli.duration("--poll-interval", raw->poll_interval, "How often to poll (default 200ms)");
    cli.flag("--no-create", o->no_create, "Fail if DIR does not exist");
    auto* q = cli.flag("-q,--quiet", o->quiet, "No progress line, no conflict message");
    auto* v = cli.flag("-v,--verbose", o->verbose, "Log each change while waiting");
    exclusive(q, v);
    run = [o, raw] {
        finish_options(*o, *raw);
        return run_lock(*o);
    };
}

} // namespace coordctl
