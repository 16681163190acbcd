#include "cmd/lease_touch.hpp"

#include "cli.hpp"
#include "cmd/commands.hpp"
#include "core/entry_name.hpp"
#include "core/exit_codes.hpp"
#include "os/files.hpp"
#include "os/loop.hpp"
#include "os/process.hpp"
#include "os/terminal.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>

namespace coordctl {

namespace {

struct LeaseTouchOptions {
    std::vector<std::string> files;
    std::string every;
    pid_t while_pid = 0;
};

// Refreshes one wait file's mtime. Returns false if it is gone (lease lost).
bool touch_entry(const std::string& path) {
    os::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd && errno == ENOENT) return false;
    struct stat link;
    if (!fd && errno == ELOOP && ::lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode))
        throw UsageError(fmt::format("not a wait file (a symbolic link): {}", path), "lease-touch");
    if (!fd) throw Error("cannot refresh lease", path, errno);
    struct stat st;
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
        throw UsageError(fmt::format("not a wait file: {}", path), "lease-touch");
    if (!os::touch(fd.get())) throw Error("cannot refresh lease", path, errno);
    return true;
}

// 0 if every file was refreshed; 79 naming the first one gone.
int touch_all(const std::vector<std::string>& files) {
    for (const auto& file : files) {
        if (!touch_entry(file)) {
            os::eprint("coordctl: lease lost: {}: {}\n", file, std::strerror(ENOENT));
            return exit_code::lost;
        }
    }
    return exit_code::ok;
}

int run_lease_touch(const LeaseTouchOptions& o) {
    for (const auto& file : o.files) {
        if (!parse_entry_name(file.substr(file.rfind('/') + 1)))
            throw UsageError(fmt::format("not a wait file name: {}", file), "lease-touch");
    }
    Duration every{0};
    if (!o.every.empty()) {
        every = parse_duration_option("--every", o.every);
        if (every.count() == 0) throw UsageError("--every: must be positive", "lease-touch");
    }
    int code = touch_all(o.files);
    if (code != exit_code::ok || o.every.empty()) return code;
    os::Loop loop;
    os::Timer timer(loop);
    os::ProcessExitWatch owner(loop);
    timer.start_repeating(every, [&] {
        code = touch_all(o.files);
        if (code != exit_code::ok) loop.stop();
    });
    if (o.while_pid != 0) owner.start(o.while_pid, every, [&] { loop.stop(); });
    loop.run();
    return code;
}

} // namespace

void add_lease_touch_command(Options& cli, std::function<int()>& run) {
    auto o = std::make_shared<LeaseTouchOptions>();
    cli.required("FILE", o->files, "Wait files to refresh (from lock --hold)");
    cli.duration("--every", o->every, "Keep refreshing every DUR until a file is gone");
    cli.process_id("--while-pid", o->while_pid, "With --every: stop when process PID exits");
    run = [o] {
        if (o->while_pid != 0 && o->every.empty())
            throw UsageError("--while-pid needs --every", "lease-touch");
        return run_lease_touch(*o);
    };
}

} // namespace coordctl
