#include "protocol/hold.hpp"

#include "core/error.hpp"
#include "core/exit_codes.hpp"
#include "core/path.hpp"
#include "os/terminal.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <unistd.h>

extern char** environ;

namespace coordctl {

namespace {
constexpr auto stopping_every = std::chrono::milliseconds(10);
constexpr auto short_hold = std::chrono::seconds(1);
constexpr auto short_hold_poll = std::chrono::milliseconds(50);
}

std::string absolute_path(const std::string& path) {
    if (!path.empty() && path[0] == '/') return tidy_path(path);
    char cwd[4096];
    if (::getcwd(cwd, sizeof cwd) == nullptr) return tidy_path(path);
    return tidy_path(std::string(cwd) + "/" + path);
}

std::vector<std::string> child_environment(const Ticket& ticket, const std::string& dir,
                                           const std::vector<std::string>& extra) {
    std::vector<std::string> vars = {
        "COORDCTL_TOKEN=" + std::to_string(ticket.name().token),
        "COORDCTL_DIR=" + absolute_path(dir),
        "COORDCTL_WAIT_FILE=" + absolute_path(ticket.path())};
    vars.insert(vars.end(), extra.begin(), extra.end());
    auto is_replaced = [&vars](std::string_view var) {
        for (const auto& v : vars)
            if (var.substr(0, v.find('=') + 1) == std::string_view(v).substr(0, v.find('=') + 1)) return true;
        return false;
    };
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
        if (!is_replaced(*e)) env.emplace_back(*e);
    }
    env.insert(env.end(), vars.begin(), vars.end());
    return env;
}

Hold::Hold(os::Loop& loop, Ticket& ticket, HoldOptions options, std::function<void(int, bool)> done)
    : ticket_(ticket), options_(std::move(options)), done_(std::move(done)), child_(loop),
      watch_(loop), watch_upgrade_(loop), heartbeat_(loop), kill_timer_(loop), stopping_(loop) {}

void Hold::start() {
    // A second open file description on our wait file, share-locked and
    // inherited by the child: it keeps the entry alive if we die first.
    os::UniqueFd inherited;
    int err = 0;
    try {
        if (options_.child_keeps_entry)
            inherited = os::reopen_for_child(ticket_.fd(), ticket_.path());
    } catch (const Error& e) { // no descriptor left: the command cannot start (as below)
        if (!out_of_resources(e.os_error())) throw;
        err = e.os_error();
    }
    if (err == 0) err = child_.spawn(options_.child, [this](int code) { on_child_exit(code); });
    inherited.reset();
    if (err != 0) {
        spawn_error_ = err;
        os::eprint("coordctl: cannot run command: {}: {}\n", options_.child.argv[0],
                   std::strerror(err));
        return finish(exit_code_for_spawn_errno(err));
    }
    watch_own_file();
    // Absolute, as newcomers (the command's own, through COORDCTL_DIR) name
    // it: a relative DIR would still be found from our working directory
    // after a directory above it was renamed.
    dir_absolute_ = absolute_path(ticket_.dir().path());
    heartbeat_.start_repeating(Duration(ticket_.record().ttl_ms / 3), [this] { heartbeat(); });
}

void Hold::heartbeat() {
    ticket_.heartbeat();
    check_loss();
    if (lost_) return;
    // DIR moved away or replaced: newcomers no longer see this hold, and
    // may hold beside it. Said once; the command goes on (a deploy that
    // swaps a symbolic link on DIR's path must not be killed halfway).
    if (!dir_moved_said_ && !ticket_.dir().still_at(dir_absolute_)) {
        dir_moved_said_ = true;
        os::eprint("coordctl: warning: the queue directory was moved or replaced while held; "
                   "newcomers will not wait for this hold: {}\n",
                   ticket_.dir().path());
    }
    if (!options_.standing) return;
    if (auto why = options_.standing(ticket_); !why.empty()) lose(why);
}

// Tearing down an inotify instance at exit costs the kernel an RCU grace
// period (~10 ms, measured): more than a whole short hold. So a holder
// checks its own file by polling during its first second, then by inotify.
void Hold::watch_own_file() {
    watch_.start(ticket_.path(), short_hold_poll, true, [this] { check_loss(); });
    watch_upgrade_.start(short_hold, [this] {
        watch_.start(ticket_.path(), options_.poll_interval, options_.poll,
                     [this] { check_loss(); });
        check_loss(); // in case it went between the last poll and the watch
    });
}

// What the command started: every descendant of ours, or (in its own
// group, as workers run it) the members of its process group.
std::vector<pid_t> Hold::tree() const {
    if (!options_.child.own_group) return os::descendants();
    if (!os::group_alive(child_.pid())) return {};
    return {-child_.pid()}; // a negative pid signals the whole group
}

void Hold::forward(int sig) {
    if (child_.running()) ::kill(child_.pid(), sig);
}

void Hold::relay(int sig) {
    bool from_terminal = sig == SIGINT || sig == SIGQUIT || sig == SIGWINCH;
    if (!(from_terminal && os::in_terminal_foreground())) forward(sig);
}

void Hold::check_loss() {
    if (!lost_ && !ticket_.still_mine()) lose("wait file removed");
}

void Hold::lose(const std::string& why) {
    lost_ = true;
    watch_.stop();
    watch_upgrade_.stop();
    heartbeat_.stop();
    os::eprint("coordctl: hold lost, stopping the command: {}: {}\n", why, ticket_.path());
    stop_tree();
}

void Hold::on_child_exit(int code) {
    child_code_ = code;
    watch_.stop();
    watch_upgrade_.stop();
    // The usual case, nothing left below us: no need to look through /proc.
    if (!lost_ && !options_.child.own_group && !os::has_children()) return finish(code);
    os::reap_adopted();
    // Whatever the command left running goes too, before the hold passes on.
    if (lost_ || !tree().empty()) return stop_tree();
    finish(code);
}

void Hold::stop_tree() {
    if (stopping_tree_) return stopping_tick();
    stopping_tree_ = true;
    kill_timer_.start(options_.kill_after, [this] {
        killing_ = true;
        stopping_tick();
    });
    stopping_.start_repeating(stopping_every, [this] { stopping_tick(); });
    stopping_tick();
}

void Hold::stopping_tick() {
    os::reap_adopted();
    auto pids = tree();
    if (pids.empty() && !child_.running()) {
        stopping_.stop();
        kill_timer_.stop();
        return finish(lost_ ? exit_code::lost : child_code_.value_or(exit_code::lost));
    }
    if (killing_) {
        for (pid_t pid : pids)
            ::kill(pid, SIGKILL);
        return;
    }
    // SIGTERM once to the tree as the stop finds it; later only to orphans
    // re-parented to us (a fork that raced the first look, a daemon's child):
    // what a process starts meanwhile for its own cleanup, and waits for, is
    // left alone until --kill-after. (A process group, signalled whole,
    // has no orphans of its own to look for.)
    bool first = terminated_.empty();
    bool look = !first && !options_.child.own_group;
    auto ours = look ? os::children() : std::vector<pid_t>{};
    for (pid_t pid : pids) {
        bool orphan = std::find(ours.begin(), ours.end(), pid) != ours.end();
        if ((first || orphan) && terminated_.insert(pid).second) ::kill(pid, SIGTERM);
    }
}

void Hold::finish(int code) {
    heartbeat_.stop();
    auto done = std::move(done_);
    done_ = nullptr;
    if (done) done(code, lost_);
}

} // namespace coordctl
