#include "protocol/task_runner.hpp"

#include "core/error.hpp"
#include "core/progress.hpp"
#include "os/host.hpp"
#include "os/terminal.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <unistd.h>

namespace coordctl {

namespace {
// A --restart command that ran this long is healthy: its next exit starts the backoff anew.
constexpr auto healthy_run = std::chrono::seconds(60);
constexpr auto conflict_retry_every = std::chrono::seconds(1);
} // namespace

TaskResultFile look_at_task_result(const os::Directory& state, const std::string& task) {
    auto name = task + ".json";
    TaskResultFile file;
    if (!state.stat_entry(name)) {
        if (errno == ENOENT) return file;
        throw Error("cannot read result file", state.path_of(name), errno);
    }
    file.present = true;
    auto opened = state.open_entry(name);
    auto text = opened.fd ? os::read_small(opened.fd.get(), 64 * 1024) : std::nullopt;
    file.result = text ? parse_task_result(*text) : std::nullopt;
    return file;
}

bool task_finished(const os::Directory& state, const std::string& task) {
    auto file = look_at_task_result(state, task);
    if (file.present && !file.result)
        os::eprint("coordctl: warning: unreadable result file: task {} not run (remove the file to "
                   "run it): {}\n",
                   task, state.path_of(task + ".json"));
    return file.present;
}

TaskRunner::TaskRunner(os::Loop& loop, const std::string& task, Queue queue,
                       const os::Directory& state, const TaskOptions& options,
                       std::function<void(TaskRunner&)> granted,
                       std::function<void(TaskRunner&, TaskEnd)> done, TaskHistory history)
    : loop_(loop), task_(task), queue_(std::move(queue)), state_(state), options_(options),
      granted_(std::move(granted)), done_(std::move(done)), progress_(ProgressStyle::none, task),
      next_(loop), history_(history) {}

TaskRunner::~TaskRunner() = default;

void TaskRunner::take(bool standby) {
    JoinRequest join;
    join.label = task_;
    join.command = substitute_task(options_.command, task_);
    join.ttl = options_.ttl;
    join.look_when_joining = !options_.poll;
    ticket_ = queue_.try_join(join);
    if (!ticket_) // the task queue's join lock is held too long: look again from the loop
        return next_.start(token_lock_retry_every, [this, standby] { take(standby); });
    WaitOptions wait;
    if (!standby) wait.timeout = Duration(0);
    wait.poll = options_.poll;
    wait.poll_interval = options_.poll_interval;
    waiter_.emplace(loop_, queue_, *ticket_, wait, progress_,
                    [this](WaitOutcome outcome) { on_wait_done(outcome); });
    waiter_->start();
}

void TaskRunner::on_wait_done(WaitOutcome outcome) {
    if (outcome == WaitOutcome::conflict) return on_conflict();
    if (outcome != WaitOutcome::granted) return end(TaskEnd::not_taken);
    // Whoever held it before may have finished it: check under our hold.
    if (!options_.restart && task_finished(state_, task_)) return end(TaskEnd::finished);
    holding_ = true;
    granted_(*this);
    if (history_.first_started_ms == 0) history_.first_started_ms = os::now_unix_ms();
    run();
}

// An entry of another lock mode in the task's queue (a `lock --shared` or
// `--slots` on it): nobody takes the task as a worker would. Said once;
// --restart looks again every second (not in a busy loop), batch gives up.
void TaskRunner::on_conflict() {
    if (!std::exchange(said_conflict_, true))
        os::eprint("coordctl: task {} {}: {}\n", task_, options_.restart ? "waits" : "not taken",
                   format_disagreement(queue_.dir().path(), waiter_->conflict()));
    if (!options_.restart) return end(TaskEnd::conflict);
    ticket_->leave();
    next_.start(conflict_retry_every, [this] {
        waiter_.reset(); // not inside its own callback
        ticket_.reset();
        take(true);
    });
}

void TaskRunner::run() {
    if (stopping_) return end(TaskEnd::stopped);
    ++history_.attempts;
    ++tries_;
    running_ = true;
    started_ms_ = os::now_unix_ms();
    HoldOptions hold;
    hold.child.argv = substitute_task(options_.command, task_);
    hold.child.own_group = true;
    // --restart: a SIGKILLed worker must free its tasks at once, so its
    // commands die with it (through an exec of a trampoline: batch skips it).
    hold.child.kill_with_parent = options_.restart;
    hold.child.env = child_environment(*ticket_, queue_.dir().path(), {"COORDCTL_TASK=" + task_});
    hold.kill_after = options_.kill_after;
    hold.poll = options_.poll;
    hold.poll_interval = options_.poll_interval;
    hold_.emplace(loop_, *ticket_, std::move(hold), [this](int code, bool lost) { on_exit(code, lost); });
    try {
        hold_->start();
    } catch (...) { // nothing started (a worker stopping then has no command to wait for)
        running_ = false;
        throw;
    }
}

void TaskRunner::on_exit(int code, bool lost) {
    running_ = false;
    if (lost) return end(TaskEnd::lost);
    if (stopping_) return end(TaskEnd::stopped);
    // No descriptor, process or memory left here is not the task's failure:
    // it stays pending for a worker that can run it (--restart backs off).
    if (!options_.restart && out_of_resources(hold_->spawn_error())) {
        --history_.attempts; // not run
        return end(TaskEnd::unstarted);
    }
    if (options_.restart) {
        bool healthy = os::now_unix_ms() - started_ms_ >= healthy_run.count() * 1000;
        exits_in_a_row_ = healthy ? 1 : exits_in_a_row_ + 1;
        auto wait = restart_backoff(exits_in_a_row_);
        os::eprint("coordctl: task {} exited with {}; restarting in {}\n", task_, code,
                   format_duration(wait));
        return next_.start(wait, [this] { run(); });
    }
    if (code == 0) {
        record(true, code);
        return end(TaskEnd::done);
    }
    if (tries_ <= options_.retries) {
        os::eprint("coordctl: task {} failed with {}; retrying ({} of {})\n", task_, code, tries_,
                   options_.retries);
        return next_.start(Duration(0), [this] { run(); });
    }
    record(false, code);
    end(TaskEnd::failed);
}

void TaskRunner::record(bool done, int code) {
    TaskResult result;
    result.done = done;
    result.exit_code = code;
    result.attempts = history_.attempts;
    result.host = os::host_identity().host;
    result.pid = ::getpid();
    result.finished_ms = os::now_unix_ms();
    result.duration_ms = result.finished_ms - history_.first_started_ms;
    state_.replace_file(task_ + ".json", format_task_result(result));
}

void TaskRunner::stop(int sig) {
    stopping_ = true;
    if (running_) return forward(sig); // ends when the command is gone
    if (waiter_ && !holding_) waiter_->stop();
    end(TaskEnd::stopped);
}

void TaskRunner::forward(int sig) {
    if (hold_) hold_->forward(sig);
}

void TaskRunner::end(TaskEnd how) {
    // A stop between an end and its report (another task granted meanwhile)
    // must not turn a conflict into "stopped, untried", tried again.
    if (!done_ || std::exchange(ended_, true)) return;
    next_.stop();
    if (ticket_) ticket_->leave();
    holding_ = false;
    // Reported from the loop, never from inside take() or a handle's callback.
    next_.start(Duration(0), [this, how] {
        auto done = std::move(done_);
        done_ = nullptr;
        done(*this, how);
    });
}

} // namespace coordctl
