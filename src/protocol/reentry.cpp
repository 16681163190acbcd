#include "protocol/reentry.hpp"

#include "core/entry_name.hpp"
#include "core/record.hpp"
#include "os/host.hpp"

#include <dirent.h>
#include <fmt/format.h>

#include <cstdlib>
#include <string>
#include <unistd.h>

namespace coordctl {

namespace {

bool has_open(os::FileId id) {
    DIR* fds = ::opendir("/proc/self/fd");
    if (fds == nullptr) return false;
    bool found = false;
    while (struct dirent* de = ::readdir(fds)) {
        struct stat st;
        if (de->d_name[0] == '.') continue;
        int fd = std::atoi(de->d_name);
        if (fd != ::dirfd(fds) && ::fstat(fd, &st) == 0 && os::file_id(st) == id) found = true;
    }
    ::closedir(fds);
    return found;
}

bool is_ancestor(pid_t pid) {
    for (pid_t p = ::getppid(); p > 1;) {
        if (p == pid) return true;
        auto parent = os::parent_pid(p);
        if (!parent) return false;
        p = *parent;
    }
    return false;
}

bool owner_is_live_ancestor(const os::Directory& dir, const std::string& name) {
    auto opened = dir.open_entry(name);
    if (!opened.fd) return false;
    if (os::try_lock_exclusive(opened.fd.get())) return false; // nobody holds it
    auto text = os::read_small(opened.fd.get(), Record::max_size);
    auto record = text ? parse_record(*text) : std::nullopt;
    return record && record->host == os::host_identity().host && is_ancestor(static_cast<pid_t>(record->pid));
}

} // namespace

std::optional<EntryName> inside_hold_of(const os::Directory& dir) {
    const char* env_dir = std::getenv("COORDCTL_DIR");
    const char* env_file = std::getenv("COORDCTL_WAIT_FILE");
    if (env_dir == nullptr || env_file == nullptr) return std::nullopt;
    struct stat st;
    if (::stat(env_dir, &st) != 0 || os::file_id(st) != dir.id()) return std::nullopt;
    std::string file = env_file;
    std::string name = file.substr(file.rfind('/') + 1);
    auto parsed = parse_entry_name(name);
    if (!parsed) return std::nullopt;
    auto entry = dir.stat_entry(name);
    if (!entry || !S_ISREG(entry->st_mode)) return std::nullopt;
    if (has_open(os::file_id(*entry)) || owner_is_live_ancestor(dir, name)) return parsed;
    return std::nullopt;
}

} // namespace coordctl
