#include "os/process.hpp"

#include "core/error.hpp"
#include "core/exit_codes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <set>
#include <sstream>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "os/fd.hpp"
#include "os/files.hpp"

namespace coordctl::os {

namespace {

// The children libuv spawned and will reap itself: never reaped by us.
std::set<pid_t>& spawned_children() {
    static std::set<pid_t> pids;
    return pids;
}

std::vector<char*> c_strings(const std::vector<std::string>& words) {
    std::vector<char*> out;
    for (const auto& w : words) out.push_back(const_cast<char*>(w.c_str()));
    out.push_back(nullptr);
    return out;
}

std::vector<pid_t> children_of(pid_t pid) {
    std::vector<pid_t> kids;
    std::string task_dir = fmt::format("/proc/{}/task", pid);
    DIR* dir = ::opendir(task_dir.c_str());
    if (dir == nullptr) return kids;
    while (struct dirent* de = ::readdir(dir)) {
        if (de->d_name[0] == '.') continue;
        UniqueFd fd(::open(fmt::format("{}/{}/children", task_dir, de->d_name).c_str(),
                           O_RDONLY | O_CLOEXEC));
        if (!fd) continue;
        std::istringstream in(read_small(fd.get(), 1 << 20).value_or(""));
        for (pid_t kid; in >> kid;) kids.push_back(kid);
    }
    ::closedir(dir);
    return kids;
}

} // namespace

int Child::spawn(const ChildSpec& spec, std::function<void(int)> on_exit) {
    on_exit_ = std::move(on_exit);
    auto argv_words = spec.kill_with_parent ? with_parent_death_signal(spec.argv) : spec.argv;
    auto argv = c_strings(argv_words);
    auto env = c_strings(spec.env);
    uv_stdio_container_t stdio[3];
    for (int i = 0; i < 3; ++i) {
        stdio[i].flags = UV_INHERIT_FD;
        stdio[i].data.fd = i;
    }
    uv_process_options_t options{};
    options.file = argv[0];
    options.args = argv.data();
    options.env = env.data();
    options.stdio_count = 3;
    options.stdio = stdio;
    if (spec.own_group) options.flags = UV_PROCESS_DETACHED;
    options.exit_cb = [](uv_process_t* h, int64_t status, int signal) {
        spawned_children().erase(h->pid);
        auto* self = owner<Child>(h);
        if (self == nullptr) return;
        self->running_ = false;
        int code = signal != 0 ? exit_code::signal_base + signal : static_cast<int>(status);
        Loop::call(h->loop, [&] { self->on_exit_(code); });
    };
    // uv_spawn initialises the handle even when it fails, so it can be closed.
    int rc = uv_spawn(loop_.get(), h_, &options);
    if (rc != 0) return -rc;
    pid_ = h_->pid;
    running_ = true;
    spawned_children().insert(pid_);
    return 0;
}

void ProcessExitWatch::start(pid_t pid, std::chrono::milliseconds poll_every,
                             std::function<void()> fn) {
    stop();
    fn_ = std::move(fn);
    pidfd_ = open_pidfd(pid);
    bool gone = !pidfd_ && errno == ESRCH;
    if (pidfd_) {
        watch_ = std::make_unique<ReadableWatch>(loop_, pidfd_.get(), [this] {
            auto fn = fn_;
            stop();
            fn();
        });
        return;
    }
    if (gone) poll_every = std::chrono::milliseconds(0); // say so at once
    poll_.start_repeating(poll_every, [this, pid] {
        if (process_exists(pid)) return;
        auto fn = fn_;
        stop();
        fn();
    });
}

void ProcessExitWatch::stop() {
    watch_.reset();
    pidfd_.reset();
    poll_.stop();
}

void open_closed_standard_streams() {
    for (int fd = 0; fd <= 2; ++fd) {
        if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
        int null = ::open("/dev/null", O_RDWR); // the lowest free descriptor: fd
        if (null < 0) throw Error("cannot open", "/dev/null", errno);
        if (null != fd) { // not expected: keep what we opened where it belongs
            ::dup2(null, fd);
            ::close(null);
        }
    }
}

void ignore_write_signals() {
    std::signal(SIGPIPE, SIG_IGN);
    std::signal(SIGXFSZ, SIG_IGN);
}

void restore_default_write_signals() {
    std::signal(SIGPIPE, SIG_DFL);
    std::signal(SIGXFSZ, SIG_DFL);
}

bool process_exists(pid_t pid) {
    return ::kill(pid, 0) == 0 || errno == EPERM;
}

UniqueFd open_pidfd(pid_t pid) {
    return UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
}

void become_subreaper() { ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }

std::uint64_t raise_open_file_limit(std::uint64_t wanted) {
    struct rlimit limit;
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted) {
        auto raised = limit;
        raised.rlim_cur =
            limit.rlim_max == RLIM_INFINITY ? wanted : std::min<rlim_t>(wanted, limit.rlim_max);
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
    }
    return limit.rlim_cur;
}

std::vector<pid_t> descendants() {
    std::vector<pid_t> all = children();
    for (size_t i = 0; i < all.size(); ++i) {
        auto kids = children_of(all[i]);
        all.insert(all.end(), kids.begin(), kids.end());
    }
    return all;
}

std::vector<pid_t> children() {
    return children_of(::getpid());
}

bool has_children() {
    siginfo_t info{};
    return ::waitid(P_ALL, 0, &info, WEXITED | WSTOPPED | WCONTINUED | WNOHANG | WNOWAIT) == 0 ||
           errno != ECHILD;
}

void reap_adopted() {
    for (pid_t kid : children()) {
        if (!spawned_children().count(kid)) ::waitpid(kid, nullptr, WNOHANG);
    }
}

void exit_now(int code, int fatal_signal) {
#if !defined(__SANITIZE_ADDRESS__)
    std::fflush(nullptr);
    die_of_signal(fatal_signal);
    ::_exit(code);
#else
    (void)code;
    (void)fatal_signal;
#endif
}

void die_of_signal(int sig) {
    if (sig == 0) return;
    std::signal(sig, SIG_DFL);
    ::raise(sig);
}

bool group_alive(pid_t pgid) { return ::kill(-pgid, 0) == 0 || errno == EPERM; }

std::vector<std::string> with_parent_death_signal(const std::vector<std::string>& argv) {
    std::vector<std::string> out = {"/proc/self/exe", parent_death_trampoline,
                                    std::to_string(::getpid())};
    out.insert(out.end(), argv.begin(), argv.end());
    return out;
}

int exec_with_parent_death_signal(int argc, char** argv) {
    if (argc < 4) return exit_code::usage;
    ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    // The parent may have died before prctl took effect.
    if (std::to_string(::getppid()) != argv[2]) return exit_code::signal_base + SIGKILL;
    ::execvp(argv[3], argv + 3);
    int err = errno;
    std::fprintf(stderr, "coordctl: cannot run command: %s: %s\n", argv[3], std::strerror(err));
    return err == ENOENT ? exit_code::not_found : exit_code::cannot_exec;
}

} // namespace coordctl::os
