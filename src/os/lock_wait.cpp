#include "os/lock_wait.hpp"

#include "core/error.hpp"
#include "os/fd.hpp"
#include "os/files.hpp"

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <fcntl.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <system_error>
#include <thread>

namespace coordctl::os {

struct LockWaiter::Shared {
    UniqueFd target;
    UniqueFd event;
    LockKind kind;
};

namespace {

void wait_then_signal(std::shared_ptr<LockWaiter::Shared> shared) {
    if (shared->kind == LockKind::waiting) {
        await_no_waiting_mark(shared->target.get());
    } else {
        await_no_owner_lock(shared->target.get());
    }
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(shared->event.get(), &one, sizeof one);
}

// Starts a thread with every signal blocked, so that signals reach the loop thread.
void start_detached(std::function<void()> body) {
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    try {
        std::thread(std::move(body)).detach();
    } catch (const std::system_error& e) { // EAGAIN: out of threads or memory
        pthread_sigmask(SIG_SETMASK, &old, nullptr);
        throw Error("cannot wait for a lock: cannot start a thread", "", e.code().value());
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

} // namespace

void LockWaiter::start(int fd, LockKind kind, std::function<void()> fn) {
    stop();
    auto shared = std::make_shared<Shared>();
    shared->kind = kind;
    shared->target.reset(::fcntl(fd, F_DUPFD_CLOEXEC, 0));
    shared->event.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!shared->target || !shared->event) throw Error("cannot wait for a lock", "eventfd", errno);
    fn_ = std::move(fn);
    shared_ = shared;
    watch_ = std::make_unique<ReadableWatch>(loop_, shared->event.get(), [this] {
        std::uint64_t count;
        if (::read(shared_->event.get(), &count, sizeof count) != sizeof count) return;
        auto fn = fn_;
        stop();
        fn();
    });
    start_detached([shared] { wait_then_signal(shared); });
}

void LockWaiter::stop() {
    watch_.reset();
    shared_.reset();
}

} // namespace coordctl::os
