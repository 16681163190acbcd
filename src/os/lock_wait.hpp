// Waiting for another process's kernel lock to go away, without polling and
// without an inotify instance: a helper thread blocks in flock(LOCK_EX) on
// the entry's file and reports to the loop when it gets it. The kernel wakes
// it the moment the owner closes its lock, whether it released or died.
#pragma once

#include "os/loop.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace coordctl::os {

enum class LockKind {
    owner,   // the flock its owner (and the owner's command) holds while alive
    waiting, // the waiting mark (see files.hpp), gone once granted or dead
};

class LockWaiter {
  public:
    explicit LockWaiter(Loop& loop) : loop_(loop) {}
    ~LockWaiter() { stop(); }
    // fd is duplicated; fn runs on the loop once the lock was free, or 200 ms
    // after the wait itself failed (ENOLCK, EIO: whether it is free is then
    // unknown, and the caller must look again rather than assume it).
    void start(int fd, LockKind kind, std::function<void()> fn);
    // The same, and fn gets the file's content (up to `max` bytes; nullopt
    // if unreadable or longer) as read right after the lock was free, in the
    // helper thread, before its descriptor is closed.
    void start_reading(int fd, LockKind kind, std::size_t max,
                       std::function<void(std::optional<std::string>)> fn);
    // Cancels the wait: fn is not called, and a helper thread blocked in it
    // is interrupted, to serve the next wait.
    void stop();

    struct Shared; // what the helper thread and the loop share

  private:
    Loop& loop_;
    std::shared_ptr<Shared> shared_;
    std::unique_ptr<ReadableWatch> watch_;
    std::function<void(std::optional<std::string>)> fn_;
};

} // namespace coordctl::os
