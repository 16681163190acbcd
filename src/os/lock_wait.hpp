// Waiting for another process's kernel lock to go away, without polling and
// without an inotify instance: a helper thread blocks in flock(LOCK_EX) on
// the entry's file and reports to the loop when it gets it. The kernel wakes
// it the moment the owner closes its lock, whether it released or died.
#pragma once

#include "os/loop.hpp"

#include <functional>
#include <memory>

namespace coordctl::os {

enum class LockKind {
    owner,   // the flock its owner (and the owner's command) holds while alive
    waiting, // the waiting mark (see files.hpp), gone once granted or dead
};

class LockWaiter {
  public:
    explicit LockWaiter(Loop& loop) : loop_(loop) {}
    ~LockWaiter() { stop(); }
    // fd is duplicated; fn runs on the loop once the lock was free.
    void start(int fd, LockKind kind, std::function<void()> fn);
    // Forgets the wait; a helper thread still blocked is left to end with the process.
    void stop();

    struct Shared; // what the helper thread and the loop share

  private:
    Loop& loop_;
    std::shared_ptr<Shared> shared_;
    std::unique_ptr<ReadableWatch> watch_;
    std::function<void()> fn_;
};

} // namespace coordctl::os
