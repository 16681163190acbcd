#include "cmd/barrier.hpp"

#include "cli.hpp"
#include "cmd/commands.hpp"
#include "core/barrier.hpp"
#include "core/exit_codes.hpp"
#include "core/progress.hpp"
#include "os/files.hpp"
#include "os/loop.hpp"
#include "os/process.hpp"
#include "os/terminal.hpp"
#include "protocol/barrier.hpp"
#include "protocol/campaign.hpp"
#include "protocol/progress.hpp"

#include <fmt/format.h>

#include <csignal>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace coordctl {

namespace {

struct BarrierOptions {
    std::string action; // set, unset, wait
    std::string path;
    bool force = false;
    bool quiet = false; // wait: no progress line
    WaitOptions wait;
};

std::string setter_of(const BarrierSight& sight) {
    auto who = describe_setter(parse_barrier_record(sight.content), os::now_unix_ms());
    return who.empty() ? "" : " " + who;
}

int run_set(const BarrierOptions& o, const BarrierPath& where) {
    auto outcome = set_barrier(where);
    if (outcome.created || o.force) return exit_code::ok;
    os::eprint("coordctl: barrier already set{}: {}\n", setter_of(outcome.existing), o.path);
    return exit_code::failure;
}

int run_wait(const BarrierOptions& o, const BarrierPath& where) {
    auto dir = os::Directory::open_existing(where.dir, os::FinalLink::follow);
    if (!dir) return exit_code::ok; // its directory does not even exist: never set
    auto found = look_at_barrier(*dir, where.name);
    if (!found.present) return exit_code::ok;
    if (!found.regular)
        throw Error(exit_code::cant_create, "not a barrier (not a regular file)", o.path);
    auto options = o.wait;
    options.poll = options.poll || os::is_network_filesystem(dir->fd());
    int code = exit_code::internal;
    int fatal_signal = 0;
    {
        os::Loop loop;
        ProgressLine line(loop, o.quiet);
        BarrierWait wait(loop, *dir, where.name, options, [&](bool lifted) {
            code = lifted ? exit_code::ok : exit_code::conflict;
            line.stop();
            loop.stop();
        });
        // A waiter owns nothing: a signal ends it (it dies of it below), once
        // its progress line is erased. Without a line, and for the signals
        // it was started ignoring (nohup), the default action stays.
        std::vector<std::unique_ptr<os::SignalWatch>> signals;
        if (line.shown())
            signals = watch_signals(
                loop,
                [&](int sig) {
                    if (sig == SIGWINCH) return;
                    fatal_signal = sig;
                    line.stop();
                    loop.stop();
                },
                true);
        auto setter = parse_barrier_record(found.content);
        line.start([&] {
            return format_barrier_status(o.path, describe_setter(setter, os::now_unix_ms()));
        });
        wait.start(found);
        loop.run();
    }
    os::die_of_signal(fatal_signal);
    if (code == exit_code::conflict)
        os::eprint("coordctl: timed out; barrier still set{}: {}\n", setter_of(found), o.path);
    return code;
}

void check_combination(const BarrierOptions& o, bool poll_options) {
    if (o.force && o.action != "set")
        throw UsageError("--force only applies to 'barrier set'", "barrier");
    if ((o.wait.timeout || poll_options || o.quiet) && o.action != "wait")
        throw UsageError(
            "--timeout, --poll, --poll-interval and --quiet only apply to 'barrier wait'",
            "barrier");
}

int run_barrier(const BarrierOptions& o) {
    auto where = split_barrier_path(o.path);
    if (!where) throw UsageError("PATH must name a file: '" + o.path + "'", "barrier");
    if (o.action == "set") return run_set(o, *where);
    if (o.action == "unset") return (unset_barrier(*where), exit_code::ok);
    return run_wait(o, *where);
}

} // namespace

void add_barrier_command(Options& cli, std::function<int()>& run) {
    auto o = std::make_shared<BarrierOptions>();
    auto timeout = std::make_shared<std::string>();
    auto poll_interval = std::make_shared<std::string>();
    cli.required("ACTION", o->action, "set, unset or wait")->check(CLI::IsMember({"set", "unset", "wait"}));
    cli.required("PATH", o->path, "The barrier file");
    cli.flag("--force", o->force, "set: succeed if the barrier is already set");
    cli.duration("-w,--timeout", *timeout, "wait: give up (exit 75) after DUR");
    cli.flag("-q,--quiet", o->quiet, "wait: no progress line");
    cli.flag("--poll", o->wait.poll, "wait: poll instead of using inotify");
    cli.duration("--poll-interval", *poll_interval, "wait: poll every DUR (default 200ms)");
    run = [o, timeout, poll_interval] {
        if (!timeout->empty()) o->wait.timeout = parse_duration_option("--timeout", *timeout);
        if (!poll_interval->empty()) o->wait.poll_interval = parse_poll_interval(*poll_interval);
        check_combination(*o, o->wait.poll || !poll_interval->empty());
        return run_barrier(*o);
    };
}

} // namespace coordctl
