#include "cmd/status.hpp"

#include "core/exit_codes.hpp"
#include "core/status.hpp"
#include "os/files.hpp"
#include "os/terminal.hpp"
#include "protocol/queue.hpp"

#include <fmt/format.h>

#include <cstdlib>
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

int run_status(const StatusOptions& o) {
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

void add_status_command(CLI::App& app, std::function<int()>& run) {
    auto* cmd = app.add_subcommand("status", "Show every entry of DIR: order, owner, age, liveness");
    auto o = std::make_shared<StatusOptions>();
    cmd->add_option("DIR", o->dir, "Queue directory")->required();
    cmd->add_flag("--json", o->json, "JSON with stable field names (see coordctl-protocol(7))");
    run = [o] { return run_status(*o); };
}

} // namespace coordctl
