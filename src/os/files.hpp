// Filesystem operations on a queue directory, all through the directory's
// fd, never following a symlink inside it.
#pragma once

#include "os/fd.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coordctl::os {

struct FileId {
    dev_t dev = 0;
    ino_t ino = 0;
    bool operator==(const FileId&) const = default;
};

FileId file_id(const struct stat& st);

// An fd, or the errno that prevented it (expected races are values).
struct OpenResult {
    UniqueFd fd;
    int err = 0;
};

// Whether a directory's own path may end in a symbolic link. A queue
// directory may not; the directory a barrier file lives in may (/var/run).
enum class FinalLink { refuse, follow };

// A file prepared by Directory::prepare, not (yet) in the directory. Its
// dot temporary, if it needed one, is removed when it is destroyed.
class Unnamed {
  public:
    Unnamed(Unnamed&& other) noexcept
        : dir_fd_(other.dir_fd_), fd_(std::move(other.fd_)), temp_(std::exchange(other.temp_, {})) {}
    Unnamed& operator=(Unnamed&&) = delete;
    ~Unnamed();
    int fd() const { return fd_.get(); }
    // The open file, once named: the caller keeps its locks.
    UniqueFd release() && { return std::move(fd_); }

  private:
    friend class Directory;
    Unnamed(int dir_fd, UniqueFd fd, std::string temp)
        : dir_fd_(dir_fd), fd_(std::move(fd)), temp_(std::move(temp)) {}
    int dir_fd_; // the directory's, which outlives it
    UniqueFd fd_;
    std::string temp_; // the dot temporary's name; empty with O_TMPFILE
};

class Directory {
  public:
    // Opens DIR, first creating it and missing parents (mode 0777 & ~umask)
    // when `create`. A final component that is a symlink is refused unless
    // `link` is follow.
    static Directory open(const std::string& path, bool create, FinalLink link = FinalLink::refuse);
    // nullopt if `path` does not exist; throws Error on any other failure.
    static std::optional<Directory> open_existing(const std::string& path, FinalLink link);

    Directory(Directory&& other) noexcept;
    Directory& operator=(Directory&&) = delete;
    ~Directory();

    int fd() const { return fd_; }
    const std::string& path() const { return path_; }
    FileId id() const { return id_; }
    std::string path_of(const std::string& name) const { return path_ + "/" + name; }
    // Whether `path` (path(), or the same made absolute) still names this
    // directory, which still has a link: one moved away, replaced or removed
    // is no longer found by newcomers. A path that cannot be looked up for
    // another reason (EACCES, EIO) counts as still there.
    bool still_at(const std::string& path) const;

    // Calls fn with the name of each regular file in the directory (dot
    // names included); the name is valid during the call only.
    void for_each_regular_file(const std::function<void(std::string_view)>& fn);
    // Names of its subdirectories (not symlinks to directories), no dot names.
    std::vector<std::string> subdirectories() const;
    // Replaces `name` atomically with `content` (temporary dot file + rename). Throws Error.
    void replace_file(const std::string& name, const std::string& content) const;
    // A temporary file lives for microseconds (a prepared wait file: until
    // its joiner gets the token lock, marked and locked all along): one this
    // old that nobody marks or locks was left by a killed process.
    static constexpr std::chrono::minutes temporary_abandoned_after{10};
    // Removes the temporary files replace_file left when its process was
    // killed while writing: those older than `age` (a write takes
    // microseconds) that no process holds a lock on. Returns the names removed.
    std::vector<std::string> remove_old_temporaries(std::chrono::milliseconds age);
    // Removes the regular file `name` if it is older than `age` and nobody
    // holds its waiting mark or a lock on it (a wait file being written has
    // both from the start). 0 if removed, EBUSY if young or in use, ENOENT if
    // gone or not a regular file, else unlinkat's errno (EPERM, EROFS...).
    int remove_if_abandoned(const std::string& name, std::chrono::milliseconds age) const;

    // Opens an entry read-only without following symlinks or blocking on FIFOs;
    // anything but a regular file is EINVAL.
    OpenResult open_entry(const std::string& name) const;
    // fstatat without following; nullopt (errno kept) when absent.
    std::optional<struct stat> stat_entry(const std::string& name) const;
    // The entry's birth time in ns (statx), or 0 if the filesystem keeps none.
    std::int64_t birth_time_ns(const std::string& name) const;
    // stat_entry, but a DIR readable and not searchable (EACCES, EPERM) is an
    // Error, not an entry gone: a queue we may not look into is not empty.
    std::optional<struct stat> look_at(const std::string& name) const;
    // Unlinks `name` only if it is still the regular file `expected`: 0 when
    // unlinked, ENOENT when gone or replaced, else unlinkat's errno (EPERM in a
    // sticky directory, EROFS...).
    int unlink_if(const std::string& name, FileId expected) const;

    // A file that is fully written, share-locked and marked waiting but has
    // no name yet (O_TMPFILE, else a dot temporary file), so that giving it
    // one is a single link: the queue does that part alone under its join
    // lock. Errors name `shown` ("<what>: <shown>: reason").
    Unnamed prepare(const std::string& content, const std::string& shown,
                    const char* what = "cannot create wait file") const;
    // Links `file` as `name`: false if that name is taken (`file` can then be
    // given another). Throws Error on any other failure.
    bool give_name(Unnamed& file, const std::string& name, const char* what = "cannot create wait file") const;
    // Some filesystems make a new name a file of its own to the kernel (FUSE
    // ones that map each path to a node, as bindfs and sshfs do): the owner
    // lock and the waiting mark taken on the unnamed file do not cover the
    // name, and a waiter would judge the owner gone. Call right after
    // give_name, under the join lock (no waiter decides on the newest entry
    // before it is released): if the name is not covered, takes both on the
    // named file, whose descriptor then replaces `file`'s. On failure removes
    // the name (if still this file) and throws Error.
    void lock_name(Unnamed& file, const std::string& name, const char* what = "cannot create wait file") const;
    // prepare + give_name: an empty fd if `name` is already taken.
    UniqueFd publish(const std::string& name, const std::string& content,
                     const char* what = "cannot create wait file") const;
    // Opens (creating) a bookkeeping dot file for read and write, readable by
    // all and writable by whoever can write the directory. Throws Error if it
    // is not a regular file or has other hard links.
    UniqueFd open_dotfile(const std::string& name) const;
    // For a directory inside `parent` (workers' tasks/ and state/) that this
    // process created: readable by all, and writable by whoever can write
    // `parent`, as open_dotfile; sticky if `sticky` and `parent` is.
    void share_like(const Directory& parent, bool sticky) const;

  private:
    Directory(DIR* dir, std::string path, const struct stat& st);
    static Directory from_fd(int fd, const std::string& path);
    DIR* dir_;
    int fd_;
    std::string path_;
    FileId id_;
    mode_t mode_;          // as opened
    bool created_ = false; // by open()
};

// After an error: removes the dotfiles open_dotfile found empty (the token
// mark no join has written yet) if they still are, then the directories this
// process created (DIR and its missing parents, workers' subdirectories)
// that are still empty but for an empty regular file named `empty_file`.
void remove_what_was_created(const char* empty_file);
// What was created so far stays after an error (it is state now: the
// directories of the tasks a pool was given).
void keep_what_was_created();

// Whole-file kernel locks (flock), the liveness signal of the protocol.
bool try_lock_exclusive(int fd); // true if taken
bool try_lock_shared(int fd);    // true if taken
void unlock(int fd);

// The "waiting" mark: an open-file-description lock on byte 1 of a wait
// file (independent of the flock), held from before the name appears until
// the entry is granted. Others can test it, or block until it goes.
void mark_waiting(int fd, const std::string& path); // throws Error
void mark_granted(int fd);
// Whether another open file description holds the mark (an observer's
// brief read lock on that byte is not one); nullopt when the test itself
// failed (EIO, ENOLCK on NFS...): each caller decides what is safe then.
std::optional<bool> marked_waiting(int fd);

// Block until nobody holds the owner flock / the waiting mark (helper
// threads). False if the wait itself failed (ENOLCK, EIO...): whether the
// lock is still held is then unknown. A signal that interrupts the wait
// ends it (false, errno EINTR) if `interrupted` says so, else it goes on.
bool await_no_owner_lock(int fd, const std::function<bool()>& interrupted = {});
bool await_no_waiting_mark(int fd, const std::function<bool()>& interrupted = {});

UniqueFd duplicate(int fd); // close-on-exec copy
// A new open file description of the same file, share-locked and inherited
// across exec: the command keeps the entry alive if its coordctl dies.
UniqueFd reopen_for_child(int fd, const std::string& path); // throws Error

// NFS, CIFS/SMB, Ceph, FUSE, 9p, AFS, GFS2, OCFS2, Lustre...: inotify does
// not see other hosts' changes there, and lock waits may not be woken.
bool is_network_filesystem(int fd);

// Sets the file's mtime to now: the heartbeat other hosts judge a lease by.
bool touch(int fd);

// Reads up to `max` bytes from the start of fd; nullopt if larger or unreadable.
std::optional<std::string> read_small(int fd, std::size_t max);
// Makes text the file's whole content: written in place, then the file is
// cut to its size if it was longer (old_size: its size before, as known).
// Throws Error.
void write_whole(int fd, const std::string& text, std::size_t old_size, const std::string& path);
bool write_at(int fd, std::size_t offset, const std::string& text); // false on failure

// Wall-clock age of a file's mtime.
std::chrono::milliseconds mtime_age(const struct stat& st);
std::int64_t now_unix_ms();

} // namespace coordctl::os
