#include "os/host.hpp"

#include "os/fd.hpp"
#include "os/files.hpp"
#include "os/process.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <unistd.h>

#include <string_view>

namespace coordctl::os {

namespace {

std::string read_proc(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return {};
    return read_small(fd.get(), 4096).value_or("");
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

// Fields of /proc/PID/stat after the command name, which may contain spaces
// and parentheses: the last ')' ends it. Field 3 (state) is element 0.
std::optional<std::vector<std::string>> stat_fields(pid_t pid) {
    std::string stat = read_proc(fmt::format("/proc/{}/stat", pid));
    auto close = stat.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::vector<std::string> fields;
    std::string field;
    for (char c : std::string_view(stat).substr(close + 1)) {
        if (c != ' ' && c != '\n') {
            field += c;
        } else if (!field.empty()) {
            fields.push_back(std::move(field));
            field.clear();
        }
    }
    if (!field.empty()) fields.push_back(std::move(field));
    return fields;
}

} // namespace

const HostIdentity& host_identity() {
    static const HostIdentity identity = [] {
        // For tests only: pretend to be another host ("NAME" or "NAME:BOOT_ID").
        if (const char* fake = std::getenv("COORDCTL_HOST_ID"); fake != nullptr && *fake != '\0') {
            std::string id = fake;
            auto colon = id.find(':');
            if (colon == std::string::npos) return HostIdentity{id, "boot-of-" + id};
            return HostIdentity{id.substr(0, colon), id.substr(colon + 1)};
        }
        char name[HOST_NAME_MAX + 1] = {};
        ::gethostname(name, sizeof name - 1);
        return HostIdentity{name, trimmed(read_proc("/proc/sys/kernel/random/boot_id"))};
    }();
    return identity;
}

namespace {

enum class Seen { unreadable, exited, running };

Seen look_at_process(pid_t pid, std::uint64_t& start) {
    auto fields = stat_fields(pid);
    if (!fields || fields->size() < 20) return Seen::unreadable;
    // Exited, not yet reaped: a zombie main thread with no other thread left
    // (a process whose main thread alone has exited shows Z too, and lives).
    bool exited = (*fields)[0] == "X" || ((*fields)[0] == "Z" && (*fields)[17] == "1");
    if (exited) return Seen::exited;
    start = std::stoull((*fields)[19]);
    return Seen::running;
}

} // namespace

std::optional<std::uint64_t> process_start_time(pid_t pid) {
    std::uint64_t start = 0;
    if (look_at_process(pid, start) != Seen::running) return std::nullopt;
    return start;
}

bool process_may_live(pid_t pid, std::uint64_t start) {
    std::uint64_t now = 0;
    switch (look_at_process(pid, now)) {
    case Seen::running:
        return now == start;
    case Seen::exited:
        return false;
    case Seen::unreadable: // /proc hides it (hidepid) or it is gone: its pidfd tells
        break;
    }
    auto pidfd = open_pidfd(pid);
    if (!pidfd) return errno != ESRCH && process_exists(pid); // (no pidfd before Linux 5.3)
    struct pollfd exited {
        pidfd.get(), POLLIN, 0
    };
    return ::poll(&exited, 1, 0) == 0;
}

std::optional<pid_t> parent_pid(pid_t pid) {
    auto fields = stat_fields(pid);
    if (!fields || fields->size() < 2) return std::nullopt;
    return static_cast<pid_t>(std::stol((*fields)[1]));
}

} // namespace coordctl::os
