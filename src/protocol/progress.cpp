#include "protocol/progress.hpp"

#include "core/error.hpp"
#include "os/files.hpp"
#include "os/terminal.hpp"
#include "protocol/leader.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <ctime>
#include <unistd.h>

namespace coordctl {

ProgressStyle choose_progress_style(bool quiet, bool verbose) {
    if (verbose) return ProgressStyle::log;
    if (quiet || !os::is_terminal(STDERR_FILENO)) return ProgressStyle::none;
    return ProgressStyle::line;
}

void Progress::update(const WaitPlan& plan, Queue& queue) {
    bool changed = plan.position != status_.position || plan.head != head_;
    status_.position = plan.position;
    status_.ahead = plan.ahead;
    if (plan.head != head_) {
        head_ = plan.head;
        queue_ = &queue;
        head_read_ = false;
    }
    show(changed);
}

void Progress::read_head() {
    if (head_read_) return;
    head_read_ = true;
    std::optional<Record> record;
    if (head_) {
        // A dead head still there (another user's, passed over: see
        // Queue::remove_stale) holds nothing: name the first live holder,
        // read again each time (the head stays while holders come and go).
        auto probe = queue_->probe(*head_);
        if (probe.exists && judge_owner(probe.facts).liveness == Liveness::stale) {
            if (auto live = queue_head(*queue_).leader) record = live->record;
            head_read_ = false;
        } else {
            record = queue_->read_record(*head_);
        }
    }
    status_.holder = describe_owner(record);
    // How long the head has held (or, if not yet granted, been queued).
    head_created_ms_ = !record ? os::now_unix_ms() : record->held_ms != 0 ? record->held_ms : record->created_ms;
}

const std::string& Progress::holder() {
    read_head();
    return status_.holder;
}

WaitStatus Progress::current() const {
    WaitStatus status = status_;
    status.holder_age = Duration(os::now_unix_ms() - head_created_ms_);
    return status;
}

void Progress::show(bool changed) {
    if (style_ == ProgressStyle::none) return;
    read_head();
    if (style_ == ProgressStyle::line) {
        os::draw_status_line(
            one_line(fmt::format("coordctl: {}", format_wait_status(dir_, current()))));
    } else if (style_ == ProgressStyle::log && changed) {
        std::time_t now = std::time(nullptr);
        os::eprint("{:%Y-%m-%dT%H:%M:%S} coordctl: {}\n", fmt::localtime(now),
                   format_wait_status(dir_, current()));
    }
}

void Progress::finish() {
    os::erase_status_line();
}

ProgressLine::ProgressLine(os::Loop& loop, bool quiet)
    : shown_(choose_progress_style(quiet, false) == ProgressStyle::line), tick_(loop) {}

void ProgressLine::start(std::function<std::string()> text) {
    if (!shown_) return;
    text_ = std::move(text);
    draw();
    tick_.start_repeating(std::chrono::seconds(1), [this] { draw(); });
}

void ProgressLine::draw() {
    try {
        os::draw_status_line(one_line("coordctl: " + text_()));
    } catch (const Error&) { // what it shows could not be read (DIR): not worth ending the wait
    }
}

void ProgressLine::stop() {
    if (!text_) return;
    tick_.stop();
    text_ = nullptr;
    os::erase_status_line();
}

} // namespace coordctl
