// Thin owners of libuv handles: each closes its handle when destroyed.
// Callbacks run on the loop thread.
#pragma once

#include "os/fd.hpp"

#include <uv.h>

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <string>

namespace coordctl::os {

class Loop {
  public:
    Loop();
    ~Loop(); // closes what is left and checks uv_loop_close() == 0
    Loop(const Loop&) = delete;
    Loop& operator=(const Loop&) = delete;
    uv_loop_t* get() { return &loop_; }
    // Runs until stopped; rethrows the first exception a callback threw.
    void run();
    void stop() { uv_stop(&loop_); }

    // Every callback runs through this: an exception stops the loop instead
    // of unwinding through libuv's C frames.
    template <typename Fn> static void call(uv_loop_t* loop, Fn&& fn) {
        auto* self = static_cast<Loop*>(loop->data);
        try {
            fn();
        } catch (...) {
            if (!self->error_) self->error_ = std::current_exception();
            self->stop();
        }
    }

  private:
    uv_loop_t loop_;
    std::exception_ptr error_;
};

// Owns a heap-allocated handle H whose memory is freed by uv_close's callback.
template <typename H> class Handle {
  public:
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;

  protected:
    Handle() : h_(new H()) { h_->data = this; }
    ~Handle() {
        h_->data = nullptr;
        if (h_->type == UV_UNKNOWN_HANDLE) { // never initialised (e.g. a child never spawned)
            delete h_;
            return;
        }
        uv_close(reinterpret_cast<uv_handle_t*>(h_),
                 [](uv_handle_t* h) { delete reinterpret_cast<H*>(h); });
    }
    template <typename Self> static Self* owner(H* h) { return static_cast<Self*>(h->data); }
    H* h_;
};

class Timer : Handle<uv_timer_t> {
  public:
    explicit Timer(Loop& loop);
    void start(std::chrono::milliseconds after, std::function<void()> fn);
    void start_repeating(std::chrono::milliseconds every, std::function<void()> fn);
    void stop();

  private:
    std::function<void()> fn_;
};

class SignalWatch : Handle<uv_signal_t> {
  public:
    SignalWatch(Loop& loop, int signum, std::function<void(int)> fn);

  private:
    std::function<void(int)> fn_;
};

// Reports that a file may have changed (content, attributes, unlinked,
// renamed): inotify through libuv, or polling when inotify is not available
// (no instance or watch left) or not trustworthy (network filesystem).
class FileWatch {
  public:
    explicit FileWatch(Loop& loop);
    ~FileWatch();
    // Returns true if inotify is used, false if polling every `poll_every`.
    bool start(const std::string& path, std::chrono::milliseconds poll_every, bool force_poll,
               std::function<void()> fn);
    void stop();

  private:
    struct Event;
    Loop& loop_;
    Timer poll_;
    std::unique_ptr<Event> event_;
    std::function<void()> fn_;
};

// Calls fn when fd becomes readable (or, with UV_DISCONNECT as `events`,
// when it fails or hangs up). libuv makes fd non-blocking.
class ReadableWatch : Handle<uv_poll_t> {
  public:
    ReadableWatch(Loop& loop, int fd, std::function<void()> fn, int events = UV_READABLE);

  private:
    std::function<void()> fn_;
};

// Calls fn once the last reader of the pipe that fd writes to is gone
// (`coordctl elect --observe | head -n 1`), not at the next write; from the
// loop, at once, if none is left already. Nothing is watched when fd is not
// a pipe (a terminal hangs up with SIGHUP; a file has no reader to lose). It
// polls an open file of its own: libuv makes what it polls non-blocking,
// which must not reach fd's, shared with the pipeline.
class ReaderGoneWatch {
  public:
    ReaderGoneWatch(Loop& loop, int fd, std::function<void()> fn);

  private:
    UniqueFd own_;
    std::unique_ptr<ReadableWatch> watch_; // closed before own_
    std::unique_ptr<Timer> gone_already_;
};

} // namespace coordctl::os
