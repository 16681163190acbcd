#include "cmd/workers.hpp"

#include "cli.hpp"
#include "cmd/commands.hpp"
#include "core/error.hpp"
#include "core/exit_codes.hpp"
#include "core/task.hpp"
#include "os/loop.hpp"
#include "os/process.hpp"
#include "os/terminal.hpp"
#include "protocol/campaign.hpp"
#include "protocol/task_runner.hpp"

#include <fmt/format.h>

#include <csignal>
#include <deque>
#include <fcntl.h>
#include <map>
#include <set>
#include <tuple>
#include <unistd.h>
#include <utility>

namespace coordctl {

namespace {

struct WorkersOptions {
    std::string dir;
    std::uint32_t task_count = 0;
    std::vector<std::string> task_names;
    std::string task_file;
    std::uint32_t capacity = 0;
    int retries = 0;
    bool restart = false;
    std::vector<std::string> command;
    std::string ttl, kill_after, poll_interval;
    bool poll = false;
};

std::vector<std::string> task_list(const WorkersOptions& o) {
    std::vector<std::string> tasks = o.task_names;
    for (std::uint32_t i = 1; i <= o.task_count; ++i) tasks.push_back(std::to_string(i));
    if (!o.task_file.empty()) {
        os::UniqueFd fd(::open(o.task_file.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) throw Error("cannot read task file", o.task_file, errno);
        errno = 0;
        auto text = os::read_small(fd.get(), 16 << 20);
        if (!text && errno != 0)
            throw Error("cannot read task file", o.task_file, errno); // a directory: EISDIR
        if (!text) throw Error(exit_code::io_error, "task file larger than 16 MiB", o.task_file);
        auto names = parse_task_list(*text);
        tasks.insert(tasks.end(), names.begin(), names.end());
    }
    std::set<std::string> seen;
    for (const auto& task : tasks) {
        if (auto problem = task_name_problem(task); !problem.empty())
            throw UsageError(fmt::format("invalid task name '{}': {}", task, problem), "workers");
        if (!seen.insert(task).second)
            throw UsageError(fmt::format("task '{}' is listed twice", task), "workers");
    }
    if (tasks.empty()) throw UsageError("no tasks: give --tasks N, --task NAME or --task-file FILE", "workers");
    return tasks;
}

// One worker process: keeps up to `capacity` tasks, each held through its own
// queue in DIR/tasks/<task>/; results in DIR/state/<task>.json.
class Worker {
  public:
    Worker(os::Loop& loop, const WorkersOptions& o, std::vector<std::string> tasks,
           TaskOptions options)
        : loop_(loop), o_(o), tasks_(std::move(tasks)), options_(std::move(options)),
          root_(os::Directory::open(o.dir, true)),
          tasks_dir_(os::Directory::open(o.dir + "/tasks", true)),
          state_(os::Directory::open(o.dir + "/state", true)), soon_(loop), capacity_(o.capacity) {
        // Queues are sticky as DIR is; results are replaced by any worker.
        tasks_dir_.share_like(root_, true);
        state_.share_like(root_, false);
        options_.poll = options_.poll || os::is_network_filesystem(root_.fd());
        for (const auto& name : state_.remove_old_temporaries(os::Directory::temporary_abandoned_after))
            os::eprint("coordctl: warning: removed a result file left half-written by a killed "
                       "worker: {}\n",
                       state_.path_of(name));
        for (const auto& task : tasks_)
            os::Directory::open(o.dir + "/tasks/" + task, true).share_like(root_, true);
        // Workers started together begin at different tasks.
        std::rotate(tasks_.begin(), tasks_.begin() + ::getpid() % tasks_.size(), tasks_.end());
    }

    void fill() {
        retired_.clear();
        if (stopping_signal_ != 0 || out_of_resources_) {
            if (runners_.empty()) loop_.stop();
            return;
        }
        if (o_.restart) {
            // Stands by in the queues of tasks others hold: a worker that
            // dies passes its tasks to us at once, without polling.
            for (const auto& task : tasks_) {
                if (held_.size() >= capacity_) break;
                if (!runners_.count(task)) start(task, true);
            }
            return;
        }
        // Batch: each task is tried in order, once (one that another worker
        // holds is not for us) unless its hold was lost, so the tasks before
        // next_ need no second look.
        while (held_.size() < capacity_ && (!again_.empty() || next_ < tasks_.size())) {
            std::string task;
            TaskHistory history;
            if (!again_.empty()) {
                std::tie(task, history) = std::move(again_.front());
                again_.pop_front();
            } else {
                task = tasks_[next_++];
            }
            if (!task_finished(state_, task)) start(task, false, history);
        }
        if (runners_.empty()) loop_.stop();
    }

    void on_signal(int sig) {
        bool stops = sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGALRM;
        if (stops && stopping_signal_ == 0) stopping_signal_ = sig; // the first one names the exit
        for (auto& [task, runner] : runners_) {
            if (stopping_signal_ != 0) runner->stop(sig);
            else runner->forward(sig);
        }
        fill_soon();
    }

    // This worker cannot go on (a result it cannot write, no descriptor
    // left...). Its commands must not outlive their holds: they are stopped
    // as on SIGTERM, their tasks left pending, and the caller reports its
    // error once they are gone (another error meanwhile stops them again).
    void stop_after_error() {
        for (int round = 0; round < 3; ++round) {
            try {
                on_signal(SIGTERM);
                loop_.run();
                return;
            } catch (...) {
            }
        }
    }

    int exit_code() const {
        if (stopping_signal_ != 0) return exit_code::signal_base + stopping_signal_;
        if (out_of_resources_) return exit_code::io_error;
        return any_failed_ ? exit_code::failure : exit_code::ok;
    }

  private:
    void start(const std::string& task, bool standby, TaskHistory history = {}) {
        try {
            auto queue = Queue::open(o_.dir + "/tasks/" + task, false);
            auto runner = std::make_unique<TaskRunner>(
                loop_, task, std::move(queue), state_, options_,
                [this](TaskRunner& r) { on_granted(r); },
                [this](TaskRunner& r, TaskEnd how) { on_end(r, how); }, history);
            auto* raw = runner.get();
            runners_[task] = std::move(runner);
            raw->take(standby);
        } catch (const Error& e) { // batch: no descriptor left to join with (nothing joined)
            if (o_.restart || !out_of_resources(e.os_error())) throw;
            runners_.erase(task);
            os::eprint("coordctl: warning: {}\n", e.what()); // not fatal: tried again
            ran_out(task, history);
        }
    }

    // Batch: a task not joined, or its command not started, for want of this
    // worker's open files, processes or memory is tried again once another
    // ends, and no more tasks than now run at once. With none running, the
    // worker gives up: the task stays pending.
    void ran_out(const std::string& task, TaskHistory history) {
        if (held_.empty()) {
            out_of_resources_ = true;
            os::eprint("coordctl: task {} left pending: out of resources with no task running; "
                       "this worker takes no more tasks\n",
                       task);
            return;
        }
        again_.emplace_front(task, history);
        if (held_.size() < capacity_) {
            capacity_ = held_.size();
            os::eprint(
                "coordctl: warning: out of resources: at most {} task{} at once from now on\n",
                capacity_, capacity_ == 1 ? "" : "s");
            stop_the_unheld(task); // one still trying to join would exceed the new capacity
        }
    }

    void on_granted(TaskRunner& runner) {
        // Once a task is taken, the pool and the tasks it was given (status
        // lists them) stay after a later error; before, an error leaves
        // nothing behind.
        os::keep_what_was_created();
        held_.insert(runner.task());
        if (held_.size() < capacity_) return;
        stop_the_unheld(runner.task()); // full: stop standing by
    }

    // Stops every runner but `except` that holds nothing (standing by, or
    // not yet joined); batch tries those tasks again later (on_end).
    void stop_the_unheld(const std::string& except) {
        for (auto& [task, other] : runners_)
            if (task != except && !held_.count(task)) other->stop(SIGTERM);
    }

    void on_end(TaskRunner& runner, TaskEnd how) {
        if (how == TaskEnd::failed || how == TaskEnd::lost || how == TaskEnd::conflict)
            any_failed_ = true;
        // Batch: a lost hold is tried again, and so is a task not yet tried
        // (still waiting for its queue's join lock when on_granted stopped it).
        bool untried = how == TaskEnd::stopped && stopping_signal_ == 0;
        if ((how == TaskEnd::lost || untried) && !o_.restart)
            again_.emplace_back(runner.task(), runner.history());
        held_.erase(runner.task());
        if (how == TaskEnd::unstarted && stopping_signal_ == 0)
            ran_out(runner.task(), runner.history());
        auto it = runners_.find(runner.task());
        retired_.push_back(std::move(it->second)); // not destroyed inside its own callback
        runners_.erase(it);
        fill_soon();
    }

    void fill_soon() {
        soon_.start(Duration(0), [this] { fill(); });
    }

    os::Loop& loop_;
    const WorkersOptions& o_;
    std::vector<std::string> tasks_;
    TaskOptions options_;
    os::Directory root_, tasks_dir_, state_;
    std::map<std::string, std::unique_ptr<TaskRunner>> runners_;
    std::vector<std::unique_ptr<TaskRunner>> retired_;
    std::set<std::string> held_;
    std::size_t next_ = 0;          // batch: the next task to try
    std::deque<std::pair<std::string, TaskHistory>>
        again_; // batch: tasks whose hold was lost, to try again
    os::Timer soon_;
    bool any_failed_ = false;
    std::size_t capacity_;          // --capacity, or lower once out of resources (ran_out)
    bool out_of_resources_ = false; // batch: given up, with a task left pending (ran_out)
    int stopping_signal_ = 0;
};

TaskOptions task_options(const WorkersOptions& o) {
    TaskOptions t;
    t.command = o.command;
    t.retries = o.retries;
    t.restart = o.restart;
    if (!o.ttl.empty()) t.ttl = parse_duration_option("--ttl", o.ttl);
    if (t.ttl.count() < 3) throw UsageError("--ttl: must be at least 3ms", "workers");
    if (!o.kill_after.empty()) t.kill_after = parse_duration_option("--kill-after", o.kill_after);
    if (!o.poll_interval.empty()) t.poll_interval = parse_poll_interval(o.poll_interval);
    t.poll = o.poll;
    return t;
}

int run_workers(const WorkersOptions& o) {
    if (o.command.empty()) throw UsageError("a command is required: workers DIR ... -- CMD {}", "workers");
    auto tasks = task_list(o);
    auto options = task_options(o);
    os::become_subreaper();
    // Each task held costs 3 open files, each wait (--restart stands by in
    // every queue) about 5, and each start a few more for a moment. The
    // commands inherit the raised limit.
    std::uint64_t waits = o.restart ? tasks.size() : o.capacity;
    std::uint64_t wanted = 64 + 6 * waits;
    if (auto limit = os::raise_open_file_limit(wanted); limit < wanted)
        os::eprint("coordctl: warning: {} {} needs about {} open files, but the limit is {} "
                   "(ulimit -n): fewer tasks may run at once\n",
                   o.restart ? "--restart with tasks:" : "--capacity", waits, wanted, limit);
    int code;
    {
        os::Loop loop;
        Worker worker(loop, o, std::move(tasks), std::move(options));
        auto signals = watch_signals(loop, [&](int sig) { worker.on_signal(sig); });
        try {
            worker.fill();
            loop.run();
        } catch (...) {
            worker.stop_after_error();
            throw;
        }
        code = worker.exit_code();
    }
    return code;
}

} // namespace

void add_workers_command(Options& cli, std::function<int()>& run) {
    auto o = std::make_shared<WorkersOptions>();
    cli.required("DIR", o->dir, "Pool directory (created if missing)");
    cli.command(o->command, "Command and arguments (after --); {} is the task name");
    if (auto* opt = cli.option("--tasks", o->task_count, "Tasks named 1..N"))
        opt->check(CLI::Range(1u, 1000000u))->type_name("N");
    // One name per --task (a second word is DIR or the next argument).
    if (auto* task = cli.option("--task", o->task_names, "A task name (repeatable)", "NAME"))
        task->allow_extra_args(false);
    cli.option("--task-file", o->task_file, "Task names, one per line", "FILE");
    cli.required("--capacity", o->capacity, "Tasks this worker runs at once")
        ->check(CLI::Range(1u, 10000u))
        ->type_name("K");
    auto* retries = cli.option("--retries", o->retries, "Retry a failing task R times (default 0)");
    if (retries) retries->check(CLI::Range(0, 1000))->type_name("R");
    auto* restart =
        cli.flag("--restart", o->restart, "Long-running tasks: restart on exit, never finish");
    exclusive(retries, restart); // a restarted task never finishes: nothing to retry
    cli.duration("--ttl", o->ttl, "Lease for other hosts (default 30s)");
    cli.duration("--kill-after", o->kill_after, "SIGKILL commands DUR after SIGTERM (default 10s)");
    cli.flag("--poll", o->poll, "Poll instead of inotify and lock waits");
    cli.duration("--poll-interval", o->poll_interval, "How often to poll (default 200ms)");
    run = [o] { return run_workers(*o); };
}

} // namespace coordctl
