#include "cmd/elect.hpp"

#include "cli.hpp"
#include "cmd/commands.hpp"
#include "core/exit_codes.hpp"
#include "core/liveness.hpp"
#include "core/path.hpp"
#include "os/host.hpp"
#include "os/lock_wait.hpp"
#include "os/loop.hpp"
#include "os/process.hpp"
#include "os/terminal.hpp"
#include "protocol/campaign.hpp"
#include "protocol/leader.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace coordctl {

namespace {

inline constexpr int no_leader = 3;

struct ElectOptions {
    std::string dir;
    std::vector<std::string> command;
    std::string shell_command;
    std::string id;
    std::string ttl, kill_after, poll_interval;
    bool once = false;
    bool leader = false;
    bool observe = false;
    bool json = false;
    bool poll = false;
    bool quiet = false;
    bool verbose = false;
};

CampaignOptions campaign_options(const ElectOptions& o, Queue& queue) {
    CampaignOptions c;
    c.join.label = o.id;
    c.join.command = command_or_shell(o.command, o.shell_command);
    if (!o.ttl.empty()) c.join.ttl = parse_duration_option("--ttl", o.ttl);
    if (c.join.ttl.count() < 3) throw UsageError("--ttl: must be at least 3ms", "elect");
    if (!o.poll_interval.empty()) c.wait.poll_interval = parse_poll_interval(o.poll_interval);
    c.wait.poll = o.poll || os::is_network_filesystem(queue.dir().fd());
    c.join.look_when_joining = !c.wait.poll;
    c.hold.child.argv = c.join.command;
    std::string id = o.id.empty() ? fmt::format("{}@{}", ::getpid(), os::host_identity().host) : o.id;
    c.hold.child.env = {"COORDCTL_LEADER_ID=" + id};
    if (!o.kill_after.empty()) c.hold.kill_after = parse_duration_option("--kill-after", o.kill_after);
    c.hold.poll_interval = c.wait.poll_interval;
    c.hold.poll = c.wait.poll;
    // The leader re-checks at every heartbeat that it is still first.
    c.hold.standing = [&queue](const Ticket& ticket) -> std::string {
        if (plan_wait(queue.entries(), ticket.name()).granted) return {};
        return "no longer first in the queue";
    };
    c.quiet = o.quiet;
    c.verbose = o.verbose;
    return c;
}

// Campaigns until the command ends by itself (or, with --once, the
// leadership is lost): each loss stops the command, then campaigns anew.
int campaign(const ElectOptions& o) {
    Queue queue = Queue::open(o.dir, true);
    os::become_subreaper();
    auto options = campaign_options(o, queue);
    CampaignResult result;
    {
        os::Loop loop;
        os::Timer again(loop);
        std::optional<Campaign> current;
        std::function<void()> start = [&] {
            current.emplace(loop, queue, options, [&](CampaignResult r) {
                result = r;
                if (r.lost && !o.once) again.start(Duration(0), start); // not inside its own callback
                else loop.stop();
            });
            current->start();
        };
        auto signals = watch_signals(loop, [&](int sig) { current->on_signal(sig); });
        start();
        loop.run();
    }
    os::die_of_signal(result.fatal_signal);
    return result.code;
}

int show_leader(const ElectOptions& o) {
    struct stat st;
    if (::stat(o.dir.c_str(), &st) != 0 && errno == ENOENT) { // no election ever held there
        if (o.json) fmt::print("null\n");
        return no_leader;
    }
    Queue queue = Queue::open(o.dir, false);
    auto leader = current_leader(queue);
    // Granted an instant ago: the time of its grant is written right after
    // its mark is dropped (Ticket::mark_granted). A few reads of its record,
    // 10 ms at most.
    for (int i = 0; leader && leader->record.held_ms == 0 && i < 20; ++i) {
        ::usleep(500);
        if (auto again = queue.read_record(leader->entry))
            leader->record = *again;
        else
            leader = current_leader(queue); // gone meanwhile: who leads now
    }
    if (!leader && !o.json) return no_leader;
    fmt::print("{}\n", format_leader(leader, o.json, o.dir));
    return leader ? exit_code::ok : no_leader;
}

// One line per change of leader, until interrupted: the directory is
// watched for entries coming and going, and the leader's lock for its death
// (for a --hold entry its owner process, for another host's its lease).
int observe(const ElectOptions& o) {
    Duration every = o.poll_interval.empty() ? Duration(200) : parse_poll_interval(o.poll_interval);
    Queue queue = Queue::open(o.dir, true);
    os::Loop loop;
    os::FileWatch dir_watch(loop);
    os::LockWaiter leader_change(loop);
    os::ProcessExitWatch owner_exit(loop);
    os::Timer look_again(loop);
    os::Timer stamp_wait(loop);
    std::optional<EntryName> stamp_waited_for;
    std::optional<std::optional<Leader>> shown;
    int result = exit_code::ok;
    // Removed (or replaced): its new entries would never be seen. (Its own
    // inotify watch says nothing while we keep it open: its parent's does.)
    os::FileWatch parent_watch(loop);
    auto removed = [&] {
        if (result != exit_code::ok) return true; // said (the loop stops after this round)
        if (queue.dir().still_at(o.dir)) return false;
        os::eprint("coordctl: directory removed while observing: {}\n", o.dir);
        result = exit_code::cant_create;
        loop.stop();
        return true;
    };
    std::function<void()> look = [&] {
        if (removed()) return;
        auto head = queue_head(queue);
        // Granted an instant ago, its grant time not yet written (it follows
        // the dropped mark): shown once written (that write wakes us), or
        // after one --poll-interval without it (a record that never has one).
        bool stamped = !head.leader || head.leader->record.held_ms != 0 ||
                       stamp_waited_for == head.leader->entry;
        if (!stamped) {
            stamp_waited_for = head.leader->entry;
            stamp_wait.start(every, look);
        }
        if (stamped && (!shown || *shown != head.leader)) {
            fmt::print("{}\n", format_leader(head.leader, o.json, o.dir));
            if (int err = os::flush_standard_output()) { // nobody reads on: stop
                if (err == EPIPE) os::die_of_signal(SIGPIPE); // owns nothing in DIR
                os::eprint("coordctl: cannot write: standard output: {}\n", std::strerror(err));
                result = exit_code::io_error;
                return loop.stop();
            }
            shown = head.leader;
        }
        // Wake when the leader dies, or when the next one is granted.
        leader_change.stop();
        owner_exit.stop();
        look_again.stop();
        auto watched = head.leader ? std::optional(head.leader->entry) : head.pending;
        if (!watched) return;
        auto probe = queue.probe(*watched);
        auto verdict = judge_owner(probe.facts);
        switch (verdict.liveness) {
        case Liveness::alive_owner: // no lock is held on it: its owner process is watched
            owner_exit.start(static_cast<pid_t>(probe.record->pid), every, look);
            return;
        case Liveness::alive_lease: // nor on another host's: it leads until its lease runs out
            look_again.start(verdict.recheck_in, look);
            return;
        case Liveness::stale: // died since queue_head looked: look past it
            look_again.start(every, look);
            return;
        default:
            break;
        }
        // (A granted entry whose record cannot be read leads nobody: wait for it to go.)
        auto kind = head.leader || !probe.waiting ? os::LockKind::owner : os::LockKind::waiting;
        if (probe.fd) leader_change.start(probe.fd.get(), kind, look);
    };
    bool poll = o.poll || os::is_network_filesystem(queue.dir().fd());
    dir_watch.start(queue.dir().path(), every, poll, look);
    parent_watch.start(parent_path(o.dir), every, poll, [&] { removed(); });
    os::SignalWatch interrupt(loop, SIGINT, [&](int) { loop.stop(); });
    os::SignalWatch terminate(loop, SIGTERM, [&](int) { loop.stop(); });
    os::SignalWatch alarm(loop, SIGALRM, [&](int) { loop.stop(); });
    // `elect --observe | head -n 1` ends when head does, not at the next change.
    os::ReaderGoneWatch reader_gone(loop, STDOUT_FILENO, [] { os::die_of_signal(SIGPIPE); });
    look();
    if (result == exit_code::ok) loop.run();
    return result;
}

int run_elect(const ElectOptions& o) {
    bool has_command = !o.command.empty() || !o.shell_command.empty();
    if (o.leader && o.observe) throw UsageError("--leader and --observe exclude each other", "elect");
    if ((o.leader || o.observe) && has_command)
        throw UsageError(fmt::format("{} runs no command", o.leader ? "--leader" : "--observe"), "elect");
    if (o.json && !(o.leader || o.observe)) throw UsageError("--json goes with --leader or --observe", "elect");
    if (o.leader || o.observe) {
        // A candidate's options, in a fixed order (CLI11's excludes name
        // the first of several in the order of their addresses).
        const std::pair<bool, const char*> campaign_only[] = {
            {!o.id.empty(), "--id"},
            {!o.ttl.empty(), "--ttl"},
            {o.once, "--once"},
            {!o.kill_after.empty(), "--kill-after"},
            {o.quiet, "--quiet"},
            {o.verbose, "--verbose"},
            {o.leader && o.poll, "--poll"},
            {o.leader && !o.poll_interval.empty(), "--poll-interval"}};
        for (auto [given, name] : campaign_only)
            if (given)
                throw UsageError(
                    fmt::format("{} excludes {}", o.leader ? "--leader" : "--observe", name),
                    "elect");
    }
    if (o.leader) return show_leader(o);
    if (o.observe) return observe(o);
    if (!o.command.empty() && !o.shell_command.empty())
        throw UsageError("--command and a command after -- exclude each other", "elect");
    if (!has_command) throw UsageError("a command is required: elect DIR -- CMD, or --leader/--observe", "elect");
    return campaign(o);
}

} // namespace

void add_elect_command(Options& cli, std::function<int()>& run) {
    auto o = std::make_shared<ElectOptions>();
    cli.required("DIR", o->dir, "Election directory (created if missing)");
    cli.command(o->command, "Command and arguments (after --)");
    cli.shell_command(o->shell_command);
    cli.label("--id", o->id, "This candidate's name (default pid@host)", "NAME");
    cli.duration("--ttl", o->ttl,
                 "Leadership lease across hosts; re-checked every TTL/3 (default 30s)");
    cli.flag("--once", o->once, "On losing leadership, stop the command and exit 79 (no new campaign)");
    cli.duration("--kill-after", o->kill_after,
                 "SIGKILL the command DUR after SIGTERM (default 10s)");
    cli.flag("--leader", o->leader, "Print the current leader's id (exit 3 if none)");
    cli.flag("--observe", o->observe, "Print a line per leadership change until interrupted");
    cli.flag("--json", o->json, "With --leader or --observe: JSON objects");
    cli.flag("--poll", o->poll, "Poll instead of inotify and lock waits");
    cli.duration("--poll-interval", o->poll_interval, "How often to poll (default 200ms)");
    auto* q = cli.flag("-q,--quiet", o->quiet, "No progress line while campaigning");
    auto* v = cli.flag("-v,--verbose", o->verbose, "Log each change while campaigning");
    exclusive(q, v);
    run = [o] { return run_elect(*o); };
}

} // namespace coordctl
