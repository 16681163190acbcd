// Telling the user what a wait is waiting for: one updating line on a
// terminal, a timestamped line per change with -v, or nothing.
#pragma once

#include "core/progress.hpp"
#include "core/queue_order.hpp"
#include "os/loop.hpp"
#include "protocol/queue.hpp"

#include <functional>
#include <optional>
#include <string>

namespace coordctl {

enum class ProgressStyle { none, line, log };

// The style for stderr: line on a terminal unless quiet; log when verbose.
ProgressStyle choose_progress_style(bool quiet, bool verbose);

class Progress {
  public:
    Progress(ProgressStyle style, std::string dir) : style_(style), dir_(std::move(dir)) {}
    // After each look at the queue.
    void update(const WaitPlan& plan, Queue& queue);
    bool shown() const { return style_ != ProgressStyle::none; }
    void finish(); // clear the line
    // The current holder, for "not acquired" messages.
    const std::string& holder();

  private:
    WaitStatus current() const;
    void show(bool changed);
    // Reads the head's record once it is needed: a waiter that shows
    // nothing reads it only for a "not acquired" message.
    void read_head();

    ProgressStyle style_;
    std::string dir_;
    Queue* queue_ = nullptr;
    std::optional<EntryName> head_;
    bool head_read_ = true;
    std::int64_t head_created_ms_ = 0;
    WaitStatus status_;
};

// The updating line of a wait that has no queue position to show (barrier
// wait, dbarrier): on a terminal unless quiet, redrawn every second from
// text() (ages move on), erased when the wait ends. Nothing otherwise.
class ProgressLine {
  public:
    ProgressLine(os::Loop& loop, bool quiet);
    void start(std::function<std::string()> text); // draws now, then every second
    void stop();                                   // erases it
    bool shown() const { return shown_; }
    ~ProgressLine() { stop(); }

  private:
    void draw();

    bool shown_;
    os::Timer tick_;
    std::function<std::string()> text_;
};

} // namespace coordctl
