#include "os/lock_wait.hpp"

#include "core/error.hpp"
#include "os/fd.hpp"
#include "os/files.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <deque>
#include <fcntl.h>
#include <mutex>
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
    std::size_t read_max = 0; // 0: do not read the file
    std::mutex mutex;         // guards what follows
    std::optional<std::string> content;  // written by the helper thread
    bool cancelled = false;              // by LockWaiter::stop
    std::optional<pthread_t> waiting_in; // the helper thread blocked in the wait
};

namespace {

// A wait that fails (a lock error that may well persist) is reported after
// this pause: the caller looks again as a poller would, not in a busy loop.
constexpr auto failed_wait_pause = std::chrono::milliseconds(200);

// Interrupts a helper thread's wait when it is cancelled (LockWaiter::stop):
// else the thread would stay blocked, holding a descriptor of the file,
// until that lock went, which may be never (workers --restart leaving the
// queues of tasks that live holders keep). Its handler does nothing and is
// installed without SA_RESTART, so that the blocked flock/fcntl returns
// EINTR; only helper threads leave it unblocked. Its default action is to
// do nothing, and commands get that back (libuv resets handlers and the
// mask in the child). One sent from outside is an interruption like any
// other: a wait not cancelled goes on (the helper threads' other blocking
// calls, sleep_for and reads of small files, go on or retry too). Not
// airtight: a signal that lands after the thread published itself but before
// it entered the system call is spent, and that wait stays blocked until
// its lock goes, as all cancelled waits did before.
constexpr int cancel_signal = SIGURG;

sigset_t cancel_signal_set() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, cancel_signal);
    return set;
}

void wait_then_signal(std::shared_ptr<LockWaiter::Shared> shared) {
    {
        std::lock_guard lock(shared->mutex);
        if (shared->cancelled) return;
        shared->waiting_in = ::pthread_self();
    }
    int fd = shared->target.get();
    auto cancelled = [&shared] {
        std::lock_guard lock(shared->mutex);
        return shared->cancelled;
    };
    bool waited = shared->kind == LockKind::waiting ? await_no_waiting_mark(fd, cancelled)
                                                    : await_no_owner_lock(fd, cancelled);
    {
        std::lock_guard lock(shared->mutex);
        shared->waiting_in.reset();
        if (shared->cancelled) return; // nobody listens
    }
    if (!waited) std::this_thread::sleep_for(failed_wait_pause);
    if (shared->read_max > 0) {
        auto text = read_small(shared->target.get(), shared->read_max);
        std::lock_guard lock(shared->mutex);
        shared->content = std::move(text);
    }
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(shared->event.get(), &one, sizeof one);
    // Closed here, after the loop was told: the entry was usually unlinked,
    // so this is often its file's last close, and deleting the inode (tens
    // of microseconds on ext4) belongs off the path to the next command.
    shared->target.reset();
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

// The helper threads, kept for the life of the process: a thread whose wait
// ended takes the next one instead of exiting. A thread's exit costs its
// process a stack madvise and RCU work on other CPUs right when the loop
// thread it just woke is starting the next holder's command. A cancelled
// wait is interrupted (cancel_signal) and its thread freed, so there are as
// many threads as waits ever ran at once.
class Helpers {
  public:
    Helpers() {
        struct sigaction action {};
        action.sa_handler = [](int) {};
        sigemptyset(&action.sa_mask);
        ::sigaction(cancel_signal, &action, nullptr);
        // Blocked in this thread (the loop's): it must not interrupt its calls.
        auto cancel = cancel_signal_set();
        ::pthread_sigmask(SIG_BLOCK, &cancel, nullptr);
    }

    void run(std::shared_ptr<LockWaiter::Shared> wait) {
        auto* queued = wait.get();
        bool start_thread = false;
        {
            std::lock_guard lock(mutex_);
            waits_.push_back(std::move(wait));
            start_thread = idle_ == 0;
            if (!start_thread) --idle_;
        }
        if (!start_thread) return ready_.notify_one();
        try {
            start_detached([this] { serve(); });
        } catch (...) { // take the wait back, unless a thread already took it
            std::lock_guard lock(mutex_);
            auto it = std::find_if(waits_.begin(), waits_.end(),
                                   [queued](const auto& w) { return w.get() == queued; });
            if (it != waits_.end()) waits_.erase(it);
            throw;
        }
    }

  private:
    void serve() {
        auto cancel = cancel_signal_set();
        ::pthread_sigmask(SIG_UNBLOCK, &cancel, nullptr);
        std::unique_lock lock(mutex_);
        while (true) {
            ready_.wait(lock, [this] { return !waits_.empty(); });
            auto wait = std::move(waits_.front());
            waits_.pop_front();
            lock.unlock();
            wait_then_signal(std::move(wait));
            lock.lock();
            ++idle_;
        }
    }

    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<std::shared_ptr<LockWaiter::Shared>> waits_;
    int idle_ = 0; // threads waiting for a wait and not yet promised one
};

Helpers& helpers() {
    static auto* pool = new Helpers; // never destroyed: its threads outlive main
    return *pool;
}

} // namespace

void LockWaiter::start(int fd, LockKind kind, std::function<void()> fn) {
    start_reading(fd, kind, 0, [fn = std::move(fn)](std::optional<std::string>) { fn(); });
}

void LockWaiter::start_reading(int fd, LockKind kind, std::size_t max,
                               std::function<void(std::optional<std::string>)> fn) {
    stop();
    auto shared = std::make_shared<Shared>();
    shared->kind = kind;
    shared->read_max = max;
    shared->target.reset(::fcntl(fd, F_DUPFD_CLOEXEC, 0));
    shared->event.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!shared->target || !shared->event) throw Error("cannot wait for a lock", "eventfd", errno);
    fn_ = std::move(fn);
    shared_ = shared;
    watch_ = std::make_unique<ReadableWatch>(loop_, shared->event.get(), [this] {
        std::uint64_t count;
        if (::read(shared_->event.get(), &count, sizeof count) != sizeof count) return;
        std::optional<std::string> content;
        {
            std::lock_guard lock(shared_->mutex);
            content = std::move(shared_->content);
        }
        auto fn = fn_;
        stop();
        fn(std::move(content));
    });
    helpers().run(std::move(shared));
}

void LockWaiter::stop() {
    watch_.reset();
    if (shared_) {
        std::lock_guard lock(shared_->mutex);
        shared_->cancelled = true;
        if (shared_->waiting_in) ::pthread_kill(*shared_->waiting_in, cancel_signal);
    }
    shared_.reset();
}

} // namespace coordctl::os
