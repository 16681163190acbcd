#include "os/files.hpp"

#include "core/entry_name.hpp"
#include "core/error.hpp"
#include "core/exit_codes.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdint>
#include <ctime>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/vfs.h>
#include <unistd.h>

namespace coordctl::os {

FileId file_id(const struct stat& st) { return {st.st_dev, st.st_ino}; }

namespace {

// What make_directories created, parents first (remove_what_was_created).
std::vector<std::string>& directories_created() {
    static std::vector<std::string> created;
    return created;
}

bool make_directory(const std::string& path) {
    if (::mkdir(path.c_str(), 0777) == 0) {
        directories_created().push_back(path);
        return true;
    }
    return errno == EEXIST;
}

// mkdir -p, trying the whole path first: only missing parents are created
// (an existing one may sit in a directory we cannot write to).
void make_directories(const std::string& path) {
    if (make_directory(path)) return;
    int error = errno;
    std::string parent; // without trailing slashes; empty for "/x" and "x"
    if (auto slash = path.find_last_of('/'); slash != std::string::npos) {
        if (auto end = path.find_last_not_of('/', slash); end != std::string::npos)
            parent = path.substr(0, end + 1);
    }
    if (error == ENOENT && !parent.empty()) {
        make_directories(parent);
        if (make_directory(path)) return;
        error = errno;
    }
    throw Error("cannot create directory", path, error);
}

std::string proc_fd_path(int fd) { return fmt::format("/proc/self/fd/{}", fd); }

std::string without_trailing_slashes(std::string path) {
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    return path;
}

bool write_all_at(int fd, size_t offset, const std::string& text) {
    size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::pwrite(fd, text.data() + done, text.size() - done,
                             static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return false;
        done += static_cast<size_t>(n);
    }
    return true;
}

void write_all(int fd, const std::string& text, const std::string& path) {
    if (!write_all_at(fd, 0, text)) throw Error("cannot write", path, errno);
}

struct flock waiting_range(short type) {
    struct flock range {};
    range.l_type = type;
    range.l_whence = SEEK_SET;
    range.l_start = 1;
    range.l_len = 1;
    return range;
}

// Every contender must open a wait file to test its lock: one it cannot read
// would be judged by its age alone, and a long hold taken for stale. So wait
// files are readable by all whatever the umask (write permission still follows it).
void readable_by_all(int fd, const std::string& path) {
    struct stat st;
    if (::fstat(fd, &st) != 0) throw Error("cannot create wait file", path, errno);
    if ((st.st_mode & 0444) != 0444 && ::fchmod(fd, (st.st_mode & 07777) | 0444) != 0)
        throw Error("cannot create wait file", path, errno);
}

void flock_or_throw(int fd, int op, const std::string& path) {
    while (::flock(fd, op) != 0) {
        if (errno != EINTR) throw Error("cannot lock", path, errno);
    }
}

// Whoever can write a queue's directory (of `dir_mode`) takes part, so must
// read and write what it holds too (`add`: r, or r-x and maybe the sticky
// bit for a directory): its creator's umask must not keep them out (a shared
// DIR of mode 1777 or 2775). Only its owner can fix it. Best effort: a
// filesystem that keeps modes of its own (vfat, some FUSE or CIFS mounts)
// refuses, and the queue works as before.
void share_with_writers_of(mode_t dir_mode, int fd, const struct stat& st, mode_t add) {
    auto mode = st.st_mode & 07777;
    auto wanted = mode | (dir_mode & 0022) | add;
    if (wanted != mode && st.st_uid == ::geteuid()) (void)::fchmod(fd, wanted);
}

int directory_flags(FinalLink link) {
    int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
    return link == FinalLink::refuse ? flags | O_NOFOLLOW : flags;
}

} // namespace

namespace {
// Dotfiles open_dotfile found empty: this process may have created them.
std::vector<std::string>& empty_dotfiles_opened() {
    static std::vector<std::string> opened;
    return opened;
}

// Only under its lock (the token lock), still empty and still the file of
// that name: a joiner holding it is left alone, and one that locks it later
// finds its lock is not on the file of that name (Queue::lock_tokens) and
// opens it again, so no token is issued twice.
void remove_if_still_empty(const std::string& file) {
    UniqueFd fd(::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    struct stat opened, named;
    if (fd && try_lock_exclusive(fd.get()) && ::fstat(fd.get(), &opened) == 0 &&
        S_ISREG(opened.st_mode) && opened.st_size == 0 && ::lstat(file.c_str(), &named) == 0 &&
        file_id(opened) == file_id(named))
        (void)::unlink(file.c_str());
}
} // namespace

void keep_what_was_created() {
    empty_dotfiles_opened().clear();
    directories_created().clear();
}

void remove_what_was_created(const char* empty_file) {
    for (const auto& file : empty_dotfiles_opened())
        remove_if_still_empty(file);
    empty_dotfiles_opened().clear();
    // Newest first; one that is not empty (a .token written, another
    // process's entry) stays, and so do its parents.
    auto& created = directories_created();
    for (auto it = created.rbegin(); it != created.rend(); ++it) {
        remove_if_still_empty(*it + "/" + empty_file);
        (void)::rmdir(it->c_str());
    }
    created.clear();
}

Directory Directory::open(const std::string& given, bool create, FinalLink link) {
    std::string path = without_trailing_slashes(given);
    if (path.empty()) throw Error(exit_code_for_errno(ENOENT), "empty directory name");
    int fd = ::open(path.c_str(), directory_flags(link));
    bool created = false;
    if (fd < 0 && (errno == ENOENT || errno == ENOTDIR) && create) {
        make_directories(path);
        created = !directories_created().empty() && directories_created().back() == path;
        fd = ::open(path.c_str(), directory_flags(link));
    }
    if (fd < 0) {
        int err = errno;
        struct stat st;
        if ((err == ELOOP || err == ENOTDIR) && ::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode))
            throw Error(exit_code_for_errno(ELOOP),
                        "refusing to use a symbolic link as the queue directory", path);
        throw Error("cannot open directory", path, err);
    }
    auto dir = from_fd(fd, path);
    dir.created_ = created;
    return dir;
}

bool Directory::still_at(const std::string& path) const {
    struct stat named, opened;
    if (::stat(path.c_str(), &named) != 0)
        return errno != ENOENT && errno != ENOTDIR; // EACCES, EIO...: cannot tell, so yes
    // (A DIR of "." still names a removed directory: it has no link left.)
    return file_id(named) == id_ && ::fstat(fd_, &opened) == 0 && opened.st_nlink > 0;
}

std::optional<Directory> Directory::open_existing(const std::string& given, FinalLink link) {
    std::string path = without_trailing_slashes(given);
    int fd = ::open(path.c_str(), directory_flags(link));
    if (fd < 0 && errno == ENOENT) return std::nullopt;
    if (fd < 0) throw Error("cannot open directory", path, errno);
    return from_fd(fd, path);
}

Directory Directory::from_fd(int fd, const std::string& path) {
    struct stat st;
    ::fstat(fd, &st);
    DIR* dir = ::fdopendir(fd);
    if (dir == nullptr) {
        int err = errno;
        ::close(fd);
        throw Error("cannot read directory", path, err);
    }
    return Directory(dir, path, st);
}

Directory::Directory(DIR* dir, std::string path, const struct stat& st)
    : dir_(dir), fd_(::dirfd(dir)), path_(std::move(path)), id_(file_id(st)), mode_(st.st_mode) {}

Directory::Directory(Directory&& other) noexcept
    : dir_(std::exchange(other.dir_, nullptr)), fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)), id_(other.id_), mode_(other.mode_), created_(other.created_) {}

Directory::~Directory() {
    if (dir_ != nullptr) ::closedir(dir_);
}

void Directory::for_each_regular_file(const std::function<void(std::string_view)>& fn) {
    ::rewinddir(dir_);
    while (struct dirent* de = ::readdir(dir_)) {
        bool regular = de->d_type == DT_REG;
        if (de->d_type == DT_UNKNOWN) {
            auto st = look_at(de->d_name);
            regular = st && S_ISREG(st->st_mode);
        }
        if (regular) fn(de->d_name);
    }
}

std::vector<std::string> Directory::subdirectories() const {
    std::vector<std::string> names;
    UniqueFd copy(::openat(fd_, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    DIR* dir = copy ? ::fdopendir(copy.release()) : nullptr;
    if (dir == nullptr) return names;
    while (struct dirent* de = ::readdir(dir)) {
        if (de->d_name[0] == '.') continue;
        auto st = stat_entry(de->d_name);
        if (st && S_ISDIR(st->st_mode)) names.emplace_back(de->d_name);
    }
    ::closedir(dir);
    return names;
}

void Directory::replace_file(const std::string& name, const std::string& content) const {
    std::string temp = fmt::format("{}{}-{}", temporary_prefix, ::getpid(), name);
    UniqueFd fd(::openat(fd_, temp.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0666));
    if (!fd) throw Error("cannot create", path_of(temp), errno);
    try {
        // Readable by all, whatever the umask, as wait files are. Best effort,
        // as share_with_writers_of: some filesystems keep modes of their own.
        struct stat st;
        if (::fstat(fd.get(), &st) == 0 && (st.st_mode & 0444) != 0444)
            (void)::fchmod(fd.get(), (st.st_mode & 07777) | 0444);
        write_all(fd.get(), content, path_of(temp));
        if (::renameat(fd_, temp.c_str(), fd_, name.c_str()) != 0)
            throw Error("cannot rename", path_of(name), errno);
    } catch (...) {
        ::unlinkat(fd_, temp.c_str(), 0);
        throw;
    }
}

std::vector<std::string> Directory::remove_old_temporaries(std::chrono::milliseconds age) {
    std::vector<std::string> temporaries, removed;
    for_each_regular_file([&](std::string_view name) {
        if (name.starts_with(temporary_prefix)) temporaries.emplace_back(name);
    });
    for (const auto& name : temporaries) {
        if (remove_if_abandoned(name, age) == 0) removed.push_back(name);
    }
    return removed;
}

int Directory::remove_if_abandoned(const std::string& name, std::chrono::milliseconds age) const {
    auto opened = open_entry(name);
    std::optional<struct stat> st;
    if (opened.fd) {
        st.emplace();
        if (::fstat(opened.fd.get(), &*st) != 0) return ENOENT;
    } else if (opened.err == EACCES) {
        st = stat_entry(name); // another user's, unreadable: judged by its age
        if (!st || !S_ISREG(st->st_mode)) return ENOENT;
    } else {
        return ENOENT;
    }
    if (mtime_age(*st) <= age) return EBUSY;
    // A wait file's writer holds its owner lock and its waiting mark while
    // alive. The mark can be tested through a read-only descriptor on any
    // filesystem (a failed test counts as marked); an exclusive flock cannot
    // on NFS (EBADF), so only EWOULDBLOCK counts there.
    if (opened.fd && (marked_waiting(opened.fd.get()).value_or(true) ||
                      (::flock(opened.fd.get(), LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK)))
        return EBUSY;
    return unlink_if(name, file_id(*st));
}

OpenResult Directory::open_entry(const std::string& name) const {
    int fd = ::openat(fd_, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return {UniqueFd(), errno};
    UniqueFd owned(fd);
    struct stat st;
    if (::fstat(fd, &st) != 0) return {UniqueFd(), errno};
    if (!S_ISREG(st.st_mode)) return {UniqueFd(), EINVAL};
    return {std::move(owned), 0};
}

std::optional<struct stat> Directory::stat_entry(const std::string& name) const {
    struct stat st;
    if (::fstatat(fd_, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return std::nullopt;
    return st;
}

std::int64_t Directory::birth_time_ns(const std::string& name) const {
    struct statx stx {};
    if (::statx(fd_, name.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BTIME, &stx) != 0 ||
        !(stx.stx_mask & STATX_BTIME))
        return 0;
    return static_cast<std::int64_t>(stx.stx_btime.tv_sec) * 1'000'000'000 + stx.stx_btime.tv_nsec;
}

std::optional<struct stat> Directory::look_at(const std::string& name) const {
    auto st = stat_entry(name);
    if (!st && (errno == EACCES || errno == EPERM))
        throw Error("cannot look at", path_of(name), errno);
    return st;
}

int Directory::unlink_if(const std::string& name, FileId expected) const {
    auto st = stat_entry(name);
    if (!st || !S_ISREG(st->st_mode) || file_id(*st) != expected) return ENOENT;
    return ::unlinkat(fd_, name.c_str(), 0) == 0 ? 0 : errno;
}

Unnamed::~Unnamed() {
    if (!temp_.empty()) ::unlinkat(dir_fd_, temp_.c_str(), 0);
}

Unnamed Directory::prepare(const std::string& content, const std::string& shown, const char* what) const {
    UniqueFd fd(::openat(fd_, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0666));
    std::string temp;
    if (fd) {
        // Named later through /proc (linkat with AT_EMPTY_PATH needs a privilege).
        if (::access(proc_fd_path(fd.get()).c_str(), F_OK) != 0) fd.reset();
    } else if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
        throw Error(what, shown, errno);
    }
    if (!fd) {
        // Random: a process with the same pid (another PID namespace or
        // host) or a killed one's leftover may hold any pid-based name.
        for (int attempt = 0; !fd; ++attempt) {
            std::uint64_t salt = 0;
            if (::getrandom(&salt, sizeof salt, 0) != sizeof salt) salt = ::time(nullptr) ^ attempt;
            temp = temporary_wait_file_name(::getpid(), salt, ::time(nullptr));
            fd.reset(::openat(fd_, temp.c_str(), O_CREAT | O_EXCL | O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0666));
            if (!fd && (errno != EEXIST || attempt == 100)) throw Error(what, shown, errno);
        }
    }
    Unnamed file(fd_, std::move(fd), std::move(temp));
    readable_by_all(file.fd(), shown);
    flock_or_throw(file.fd(), LOCK_SH, path_);
    mark_waiting(file.fd(), shown);
    if (!write_all_at(file.fd(), 0, content)) throw Error(what, shown, errno);
    return file;
}

bool Directory::give_name(Unnamed& file, const std::string& name, const char* what) const {
    int rc = file.temp_.empty()
                 ? ::linkat(AT_FDCWD, proc_fd_path(file.fd()).c_str(), fd_, name.c_str(), AT_SYMLINK_FOLLOW)
                 : ::linkat(fd_, file.temp_.c_str(), fd_, name.c_str(), 0);
    if (rc == 0) return true;
    if (errno == EEXIST) return false;
    throw Error(what, path_of(name), errno);
}

void Directory::lock_name(Unnamed& file, const std::string& name, const char* what) const {
    auto remove_and_throw = [&](int err) {
        struct stat mine;
        if (::fstat(file.fd(), &mine) == 0) unlink_if(name, file_id(mine));
        throw Error(what, path_of(name), err);
    };
    constexpr int open_flags = O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;
    UniqueFd probe(::openat(fd_, name.c_str(), O_RDONLY | open_flags));
    if (!probe) {
        if (errno == ENOENT) return; // removed already: the owner finds out when it looks
        remove_and_throw(errno);
    }
    // Each lock on its own. An error means "cannot tell" (prepare has shown
    // that both work here): EBADF for an exclusive flock on NFS, say.
    bool marked = marked_waiting(probe.get()).value_or(true);
    bool locked = ::flock(probe.get(), LOCK_EX | LOCK_NB) != 0;
    probe.reset(); // with the exclusive flock, if it got one
    if (marked && locked) return;
    UniqueFd named(::openat(fd_, name.c_str(), O_RDWR | open_flags));
    if (!named) remove_and_throw(errno);
    // The unnamed file's mark would block this one if the two share lock
    // state after all; observers' brief read locks are waited out.
    mark_granted(file.fd());
    auto range = waiting_range(F_WRLCK);
    while (::flock(named.get(), LOCK_SH) != 0 || ::fcntl(named.get(), F_OFD_SETLKW, &range) != 0) {
        if (errno != EINTR) remove_and_throw(errno);
    }
    file.fd_ = std::move(named);
}

UniqueFd Directory::publish(const std::string& name, const std::string& content, const char* what) const {
    auto file = prepare(content, path_of(name), what);
    if (!give_name(file, name, what)) return UniqueFd();
    return std::move(file).release();
}

UniqueFd Directory::open_dotfile(const std::string& name) const {
    // O_NONBLOCK: a FIFO or a leased file put there must not block the open.
    UniqueFd fd(::openat(fd_, name.c_str(),
                         O_CREAT | O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0666));
    if (!fd) throw Error("cannot open", path_of(name), errno);
    struct stat st;
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
        throw Error(exit_code::cant_create, "not a regular file", path_of(name));
    // Another link could be a file anywhere on the filesystem: never write through it.
    if (st.st_nlink != 1)
        throw Error(exit_code::cant_create, "refusing a file with other hard links", path_of(name));
    share_with_writers_of(mode_, fd.get(), st, 0444);
    if (st.st_size == 0) empty_dotfiles_opened().push_back(path_of(name));
    return fd;
}

void Directory::share_like(const Directory& parent, bool sticky) const {
    struct stat st;
    if (!created_ || ::fstat(fd_, &st) != 0) return;
    share_with_writers_of(parent.mode_, fd_, st, 0555 | (sticky ? parent.mode_ & S_ISVTX : 0));
}

namespace {
bool try_flock(int fd, int op) {
    while (::flock(fd, op | LOCK_NB) != 0) {
        if (errno != EINTR) return false;
    }
    return true;
}
} // namespace

bool try_lock_exclusive(int fd) { return try_flock(fd, LOCK_EX); }
bool try_lock_shared(int fd) { return try_flock(fd, LOCK_SH); }

void unlock(int fd) { ::flock(fd, LOCK_UN); }

void mark_waiting(int fd, const std::string& path) {
    auto range = waiting_range(F_WRLCK);
    if (::fcntl(fd, F_OFD_SETLK, &range) != 0) throw Error("cannot lock", path, errno);
}

void mark_granted(int fd) {
    auto range = waiting_range(F_UNLCK);
    ::fcntl(fd, F_OFD_SETLK, &range);
}

std::optional<bool> marked_waiting(int fd) {
    auto range = waiting_range(F_WRLCK);
    if (::fcntl(fd, F_OFD_GETLK, &range) != 0) return std::nullopt;
    // Only the owner's mark is a write lock there; a read lock is an observer
    // waiting out the mark (await_no_waiting_mark) the moment it went.
    return range.l_type == F_WRLCK;
}

bool await_no_owner_lock(int fd, const std::function<bool()>& interrupted) {
    int rc;
    while ((rc = ::flock(fd, LOCK_EX)) != 0 && errno == EINTR) {
        if (interrupted && interrupted()) return false;
    }
    if (rc != 0) return false;
    ::flock(fd, LOCK_UN);
    return true;
}

bool await_no_waiting_mark(int fd, const std::function<bool()>& interrupted) {
    auto range = waiting_range(F_RDLCK);
    int rc;
    while ((rc = ::fcntl(fd, F_OFD_SETLKW, &range)) != 0 && errno == EINTR) {
        if (interrupted && interrupted()) return false;
    }
    if (rc != 0) return false;
    range.l_type = F_UNLCK;
    ::fcntl(fd, F_OFD_SETLK, &range);
    return true;
}

UniqueFd duplicate(int fd) { return UniqueFd(::fcntl(fd, F_DUPFD_CLOEXEC, 0)); }

UniqueFd reopen_for_child(int fd, const std::string& path) {
    UniqueFd copy(::open(proc_fd_path(fd).c_str(), O_RDONLY | O_CLOEXEC));
    if (!copy && errno == ENOENT) {
        // No /proc: by name, if that is still this file.
        copy.reset(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
        struct stat mine, named;
        if (copy && (::fstat(fd, &mine) != 0 || ::fstat(copy.get(), &named) != 0 ||
                     file_id(mine) != file_id(named))) {
            copy.reset();
            errno = ENOENT;
        }
    }
    if (!copy) throw Error("cannot reopen wait file", path, errno);
    flock_or_throw(copy.get(), LOCK_SH, path);
    ::fcntl(copy.get(), F_SETFD, 0);
    return copy;
}

bool is_network_filesystem(int fd) {
    struct statfs fs;
    if (::fstatfs(fd, &fs) != 0) return false;
    switch (static_cast<unsigned long>(fs.f_type)) {
    case 0x6969:     // NFS
    case 0xFF534D42: // CIFS
    case 0xFE534D42: // SMB2
    case 0x517B:     // SMB
    case 0x00C36400: // Ceph
    case 0x65735546: // FUSE (sshfs, glusterfs, ...)
    case 0x01021997: // 9p
    case 0x5346414F: // AFS
    case 0x6B414653: // kAFS
    case 0x01161970: // GFS2
    case 0x7461636F: // OCFS2
    case 0x0BD00BD0: // Lustre
        return true;
    default:
        return false;
    }
}

bool touch(int fd) { return ::futimens(fd, nullptr) == 0; }

std::optional<std::string> read_small(int fd, std::size_t max) {
    std::string text;
    char chunk[4096];
    bool pipe = false; // a pipe (--task-file <(cmd)) is read from where it is
    while (true) {
        ssize_t n = pipe ? ::read(fd, chunk, sizeof chunk)
                         : ::pread(fd, chunk, sizeof chunk, static_cast<off_t>(text.size()));
        if (n < 0 && errno == ESPIPE && !pipe) {
            pipe = true;
            errno = 0; // "larger than max" is told by errno 0
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return std::nullopt;
        if (n == 0) return text;
        text.append(chunk, static_cast<size_t>(n));
        if (text.size() > max) return std::nullopt;
    }
}

void write_whole(int fd, const std::string& text, std::size_t old_size, const std::string& path) {
    write_all(fd, text, path);
    if (old_size > text.size() && ::ftruncate(fd, static_cast<off_t>(text.size())) != 0)
        throw Error("cannot write", path, errno);
}

bool write_at(int fd, std::size_t offset, const std::string& text) {
    return write_all_at(fd, offset, text);
}

std::chrono::milliseconds mtime_age(const struct stat& st) {
    auto mtime = std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec);
    auto now = std::chrono::system_clock::now().time_since_epoch();
    return std::chrono::duration_cast<std::chrono::milliseconds>(now - mtime);
}

std::int64_t now_unix_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace coordctl::os
