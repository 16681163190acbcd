#include "protocol/hold.hpp"

#include "core/error.hpp"
#include "core/exit_codes.hpp"
#include "os/terminal.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

extern char** environ;

namespace coordctl {

namespace {
constexpr auto stopping_every = std::chrono::milliseconds(10);
constexpr auto short_hold = std::chrono::seconds(1);
constexpr auto short_hold_poll = std::chrono::milliseconds(50);
}

std::vector<std::string> child_environment(
    const std::vector<std::pair<std::string, std::string>>& extra) {
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
        std::string_view var(*e);
        bool replaced = false;
        for (const auto& [name, value] : extra)
            replaced = replaced || var.substr(0, name.size() + 1) == name + "=";
        if (!replaced) env.emplace_back(var);
    }
    for (const auto& [name, value] : extra) env.push_back(name + "=" + value);
    return env;
}

Hold::Hold(os::Loop& loop, Ticket& ticket, HoldOptions options, std::function<void(int)> done)
    : ticket_(ticket), options_(std::move(options)), done_(std::move(done)), child_(loop),
      watch_(loop), watch_upgrade_(loop), kill_timer_(loop), stopping_(loop) {}

void Hold::start() {
    os::UniqueFd inherited = options_.child_keeps_entry ? lock_for_child() : os::UniqueFd();
    int err = child_.spawn(options_.child, [this](int code) { on_child_exit(code); });
    inherited.reset();
    if (err != 0) {
        fmt::print(stderr, "coordctl: cannot run command: {}: {}\n", options_.child.argv[0],
                   std::strerror(err));
        return finish(err == ENOENT ? exit_code::not_found : exit_code::cannot_exec);
    }
    watch_own_file();
}

// A second open file description on our wait file, share-locked and
// inherited by the child: it keeps the entry alive if we die first.
os::UniqueFd Hold::lock_for_child() {
    os::UniqueFd inherited(::open(fmt::format("/proc/self/fd/{}", ticket_.fd()).c_str(),
                                  O_RDONLY | O_CLOEXEC));
    if (!inherited) throw Error("cannot reopen wait file", ticket_.path(), errno);
    os::lock_shared(inherited.get(), ticket_.path());
    ::fcntl(inherited.get(), F_SETFD, 0);
    return inherited;
}

// Tearing down an inotify instance at exit costs the kernel an RCU grace
// period (~10 ms, measured): more than a whole short hold. So a holder
// checks its own file by polling during its first second, then by inotify.
void Hold::watch_own_file() {
    watch_.start(ticket_.path(), short_hold_poll, true, [this] { check_loss(); });
    watch_upgrade_.start(short_hold, [this] {
        watch_.start(ticket_.path(), options_.poll_interval, options_.force_poll,
                     [this] { check_loss(); });
        check_loss(); // in case it went between the last poll and the watch
    });
}

void Hold::forward(int sig) {
    if (child_.running()) ::kill(child_.pid(), sig);
}

void Hold::relay(int sig) {
    bool from_terminal = sig == SIGINT || sig == SIGQUIT || sig == SIGWINCH;
    if (!(from_terminal && os::in_terminal_foreground())) forward(sig);
}

void Hold::check_loss() {
    if (lost_ || ticket_.still_mine()) return;
    lost_ = true;
    watch_.stop();
    watch_upgrade_.stop();
    fmt::print(stderr, "coordctl: hold lost, stopping the command: wait file removed: {}\n",
               ticket_.path());
    stop_tree();
}

void Hold::on_child_exit(int code) {
    child_code_ = code;
    watch_.stop();
    watch_upgrade_.stop();
    os::reap_adopted(0);
    // Whatever the command left running goes too, before the hold passes on.
    if (lost_ || !os::descendants().empty()) return stop_tree();
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
    os::reap_adopted(child_.running() ? child_.pid() : 0);
    auto pids = os::descendants();
    if (pids.empty() && !child_.running()) {
        stopping_.stop();
        kill_timer_.stop();
        return finish(lost_ ? exit_code::lost : child_code_.value_or(exit_code::lost));
    }
    for (pid_t pid : pids) {
        if (killing_) {
            ::kill(pid, SIGKILL);
        } else if (terminated_.insert(pid).second) {
            ::kill(pid, SIGTERM);
        }
    }
}

void Hold::finish(int code) {
    auto done = std::move(done_);
    done_ = nullptr;
    if (done) done(code);
}

} // namespace coordctl
