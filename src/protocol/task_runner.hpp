// One task of `coordctl workers`, held through the queue protocol: take it
// (at once, or standing by in its queue), run its command while held
// (retries, or restarts with backoff), record the result, release it.
#pragma once

#include "core/task.hpp"
#include "os/loop.hpp"
#include "protocol/hold.hpp"
#include "protocol/progress.hpp"
#include "protocol/queue.hpp"
#include "protocol/waiter.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace coordctl {

struct TaskOptions {
    std::vector<std::string> command; // with {} still in it
    int retries = 0;
    bool restart = false;
    Duration ttl = default_ttl;
    Duration kill_after = std::chrono::seconds(10);
    Duration poll_interval = std::chrono::milliseconds(200);
    bool poll = false;
};

enum class TaskEnd {
    not_taken, // someone else holds it
    finished,  // already done or failed (by anyone)
    done,      // its command exited 0 here
    failed,    // still failing after 1 + retries attempts here
    lost,      // the hold was lost (wait file removed)
    stopped,   // we were asked to stop (signal, or cancelled while standing by)
    unstarted, // batch: its command not started for want of our resources (not recorded)
    conflict,  // batch: its queue has an entry of another lock mode
};

// What a task's earlier runs by this worker add to its result: a task whose
// hold was lost is run again by a new runner, and its result counts both.
struct TaskHistory {
    int attempts = 0;
    std::int64_t first_started_ms = 0; // 0: not run yet
};

class TaskRunner {
  public:
    // done(runner, end) is called once, never from inside take().
    TaskRunner(os::Loop& loop, const std::string& task, Queue queue, const os::Directory& state,
               const TaskOptions& options, std::function<void(TaskRunner&)> granted,
               std::function<void(TaskRunner&, TaskEnd)> done, TaskHistory history = {});
    ~TaskRunner();
    // standby: wait in the task's queue until it is ours; else give up at once.
    void take(bool standby);
    // Cancels a wait, or forwards `sig` to a running command and ends when it is gone.
    void stop(int sig);
    void forward(int sig);
    bool holding() const { return holding_; }
    const std::string& task() const { return task_; }
    const TaskHistory& history() const { return history_; }

  private:
    void on_wait_done(WaitOutcome outcome);
    void on_conflict();
    void run();
    void on_exit(int code, bool lost);
    void record(bool done, int code);
    void end(TaskEnd how);

    os::Loop& loop_;
    std::string task_;
    Queue queue_;
    const os::Directory& state_;
    const TaskOptions& options_;
    std::function<void(TaskRunner&)> granted_;
    std::function<void(TaskRunner&, TaskEnd)> done_;
    Progress progress_;
    std::unique_ptr<Ticket> ticket_;
    std::optional<Waiter> waiter_;
    std::optional<Hold> hold_;
    os::Timer next_; // joining again, retry/restart, or reporting the end outside a callback
    bool holding_ = false;
    bool running_ = false; // its command runs now
    bool stopping_ = false;
    bool said_conflict_ = false;
    bool ended_ = false; // its end is decided (reported from the loop): the first one stands
    TaskHistory history_;
    int tries_ = 0; // runs in this hold: --retries counts these (a lost hold's run is no failure)
    int exits_in_a_row_ = 0;
    std::int64_t started_ms_ = 0;
};

// DIR/state/<task>.json: a task is finished once it is there, whether or not
// it can be read (no worker takes it then: one that cannot be read is
// reported, and left alone). Throws Error if that cannot be told.
struct TaskResultFile {
    bool present = false;
    std::optional<TaskResult> result; // if present and readable
};
TaskResultFile look_at_task_result(const os::Directory& state, const std::string& task);
// Whether the task is done with: its result file exists, whether or not it
// can be read (one that cannot is reported on stderr, and left alone).
bool task_finished(const os::Directory& state, const std::string& task);

} // namespace coordctl
