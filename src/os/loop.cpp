#include "os/loop.hpp"

#include "core/error.hpp"
#include "os/fd.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <utility>

namespace coordctl::os {

namespace {
// libuv aborts the process when it cannot create its process-wide signal pipe
// (the first uv_loop_init needs three descriptors): fail cleanly first.
void check_descriptors_for_loop() {
    UniqueFd reserved[3];
    for (auto& fd : reserved) {
        fd.reset(::eventfd(0, EFD_CLOEXEC));
        if (!fd) throw Error("cannot start the event loop", "", errno);
    }
}
} // namespace

Loop::Loop() {
    check_descriptors_for_loop();
    if (int rc = uv_loop_init(&loop_); rc != 0) throw Error("cannot start the event loop", "", -rc);
    loop_.data = this;
}

Loop::~Loop() {
    uv_walk(
        &loop_,
        [](uv_handle_t* h, void*) {
            if (!uv_is_closing(h)) uv_close(h, nullptr);
        },
        nullptr);
    // Twice: a stop asked before any run (loop.stop() before loop.run())
    // makes the first one return at once, only clearing it.
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_run(&loop_, UV_RUN_DEFAULT);
    if (uv_loop_close(&loop_) != 0) std::fputs("coordctl: internal: loop not closed\n", stderr);
}

void Loop::run() {
    uv_run(&loop_, UV_RUN_DEFAULT);
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

Timer::Timer(Loop& loop) { uv_timer_init(loop.get(), h_); }

void Timer::start(std::chrono::milliseconds after, std::function<void()> fn) {
    fn_ = std::move(fn);
    uv_timer_start(
        h_,
        [](uv_timer_t* h) {
            // Taken out first: fn may start this timer again (a new fn_).
            if (auto* self = owner<Timer>(h))
                Loop::call(h->loop, std::function<void()>(std::move(self->fn_)));
        },
        static_cast<uint64_t>(after.count() < 0 ? 0 : after.count()), 0);
}

void Timer::start_repeating(std::chrono::milliseconds every, std::function<void()> fn) {
    fn_ = std::move(fn);
    auto ms = static_cast<uint64_t>(every.count() < 1 ? 1 : every.count());
    uv_timer_start(
        h_,
        [](uv_timer_t* h) {
            // A copy: fn may start this timer again (a new fn_).
            if (auto* self = owner<Timer>(h)) Loop::call(h->loop, std::function<void()>(self->fn_));
        },
        ms, ms);
}

void Timer::stop() { uv_timer_stop(h_); }

SignalWatch::SignalWatch(Loop& loop, int signum, std::function<void(int)> fn) : fn_(std::move(fn)) {
    // The first signal handle of a loop opens its signal pipe: EMFILE is possible.
    if (int rc = uv_signal_init(loop.get(), h_); rc != 0)
        throw Error("cannot watch signals", "", -rc);
    uv_signal_start(
        h_,
        [](uv_signal_t* h, int sig) {
            if (auto* self = owner<SignalWatch>(h)) Loop::call(h->loop, [&] { self->fn_(sig); });
        },
        signum);
}

struct FileWatch::Event : Handle<uv_fs_event_t> {
    explicit Event(Loop& loop, FileWatch* watch) : watch_(watch) { uv_fs_event_init(loop.get(), h_); }
    int start(const std::string& path) {
        return uv_fs_event_start(
            h_,
            [](uv_fs_event_t* h, const char*, int, int) {
                if (auto* self = owner<Event>(h)) Loop::call(h->loop, self->watch_->fn_);
            },
            path.c_str(), 0);
    }
    FileWatch* watch_;
};

FileWatch::FileWatch(Loop& loop) : loop_(loop), poll_(loop) {}

FileWatch::~FileWatch() { stop(); }

bool FileWatch::start(const std::string& path, std::chrono::milliseconds poll_every, bool force_poll,
                      std::function<void()> fn) {
    stop();
    fn_ = std::move(fn);
    if (!force_poll) {
        event_ = std::make_unique<Event>(loop_, this);
        if (event_->start(path) == 0) return true;
        event_.reset(); // EMFILE/ENOSPC from inotify limits: poll instead
    }
    poll_.start_repeating(poll_every, [this] { fn_(); });
    return false;
}

void FileWatch::stop() {
    event_.reset();
    poll_.stop();
}

ReadableWatch::ReadableWatch(Loop& loop, int fd, std::function<void()> fn, int events)
    : fn_(std::move(fn)) {
    if (int rc = uv_poll_init(loop.get(), h_, fd); rc != 0) throw Error("cannot watch", "", -rc);
    uv_poll_start(h_, events, [](uv_poll_t* h, int, int) {
        if (auto* self = owner<ReadableWatch>(h)) Loop::call(h->loop, self->fn_);
    });
}

ReaderGoneWatch::ReaderGoneWatch(Loop& loop, int fd, std::function<void()> fn) {
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode)) return;
    // A pipe's write end with no reader left polls as an error (POLLERR);
    // opened anew it is another open file of the same pipe.
    own_.reset(
        ::open(fmt::format("/proc/self/fd/{}", fd).c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
    if (own_) {
        watch_ = std::make_unique<ReadableWatch>(loop, own_.get(), std::move(fn), UV_DISCONNECT);
    } else if (errno == ENXIO) { // no reader (the open of a FIFO to write says so)
        gone_already_ = std::make_unique<Timer>(loop);
        gone_already_->start(std::chrono::milliseconds(0), std::move(fn));
    }
}

} // namespace coordctl::os
