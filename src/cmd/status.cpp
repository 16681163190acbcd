#include "cmd/status.hpp"

#include "cmd/commands.hpp"
#include "core/exit_codes.hpp"
#include "core/status.hpp"
#include "os/files.hpp"
#include "os/terminal.hpp"
#include "protocol/barrier.hpp"
#include "protocol/leader.hpp"
#include "protocol/queue.hpp"
#include "protocol/task_runner.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <sys/stat.h>
#include <unistd.h>

namespace coordctl {

namespace {

struct StatusOptions {
    std::string dir;
    bool json = false;
};

std::vector<StatusFacts> gather(Queue& queue) {
    std::vector<StatusFacts> facts;
    for (const auto& entry : queue.entries()) {
        auto probe = queue.probe(entry);
        if (!probe.exists) continue;
        StatusFacts f;
        f.entry = entry;
        f.waiting = probe.waiting;
        f.verdict = judge_owner(probe.facts);
        f.heartbeat_age = probe.facts.heartbeat_age;
        f.record = probe.record ? probe.record : queue.read_record(entry);
        facts.push_back(std::move(f));
    }
    return facts;
}

std::vector<TaskRow> gather_tasks(const std::string& dir) {
    auto tasks = os::Directory::open(dir + "/tasks", false);
    std::optional<os::Directory> state; // a fresh pool has no state/ yet: status only looks
    struct stat st;
    if (::lstat((dir + "/state").c_str(), &st) == 0) state.emplace(os::Directory::open(dir + "/state", false));
    auto names = tasks.subdirectories();
    std::sort(names.begin(), names.end());
    std::vector<TaskRow> rows;
    for (const auto& task : names) {
        TaskRow row;
        row.task = task;
        row.state = "pending";
        auto file = state ? look_at_task_result(*state, task) : TaskResultFile{};
        if (auto& result = file.result) {
            row.state = result->done ? "done" : "failed";
            row.pid = result->pid;
            row.host = result->host;
            row.exit_code = result->exit_code;
            row.attempts = result->attempts;
            row.duration_ms = result->duration_ms;
        } else if (file.present) {
            row.state = "unreadable"; // a result all the same: no worker takes the task
        } else {
            auto queue = Queue::open(dir + "/tasks/" + task, false);
            if (auto leader = current_leader(queue)) {
                row.state = "running";
                row.pid = leader->record.pid;
                row.host = leader->record.host;
                row.since_ms = leader->record.held_ms;
            }
        }
        rows.push_back(row);
    }
    return rows;
}

// A barrier is a regular file (coordctl barrier set PATH): who set it, when.
int barrier_status(const std::string& path, bool json) {
    auto where = split_barrier_path(path);
    auto dir = os::Directory::open(where->dir, false);
    auto sight = look_at_barrier(dir, where->name);
    auto record = parse_barrier_record(sight.content);
    auto now = os::now_unix_ms();
    if (json) {
        nlohmann::json j = {{"path", path}, {"kind", "barrier"}, {"set", sight.regular}};
        if (record) j.update({{"pid", record->pid}, {"host", record->host}, {"set_ms", record->created_ms}});
        fmt::print("{}\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
    } else {
        std::string setter = describe_setter(record, now);
        fmt::print("barrier {}: {}{}\n", path, sight.regular ? "set" : "not set",
                   setter.empty() ? "" : " " + setter);
    }
    return exit_code::ok;
}

bool is_barrier_file(const std::string& path) {
    struct stat st;
    return ::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool is_workers_dir(const std::string& dir) {
    struct stat st;
    return ::lstat((dir + "/tasks").c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

int run_status(const StatusOptions& o) {
    if (is_barrier_file(o.dir)) return barrier_status(o.dir, o.json);
    if (is_workers_dir(o.dir)) {
        auto rows = gather_tasks(o.dir);
        fmt::print("{}", o.json ? format_task_json(o.dir, rows) : format_task_table(rows, os::now_unix_ms()));
        return exit_code::ok;
    }
    Queue queue = Queue::open(o.dir, false);
    auto rows = status_rows(gather(queue));
    if (o.json) {
        fmt::print("{}", format_status_json(o.dir, rows));
    } else {
        bool colour = os::is_terminal(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
        fmt::print("{}", format_status_table(rows, os::now_unix_ms(), colour));
    }
    return exit_code::ok;
}

} // namespace

void add_status_command(Options& cli, std::function<int()>& run) {
    auto o = std::make_shared<StatusOptions>();
    cli.required("DIR", o->dir, "Queue directory");
    cli.flag("--json", o->json, "JSON with stable field names (see coordctl-protocol(7))");
    run = [o] { return run_status(*o); };
}

} // namespace coordctl
