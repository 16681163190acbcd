#include "core/status.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace coordctl {

namespace {

std::string liveness_text(const Verdict& verdict) {
    switch (verdict.liveness) {
    case Liveness::stale: return "stale: " + verdict.reason;
    case Liveness::alive_lease:
        return fmt::format("alive (lease, expires in {})", format_duration(verdict.recheck_in));
    case Liveness::alive_owner: return "alive (owner process)";
    default: return "alive";
    }
}

StatusRow row_of(const StatusFacts& f, std::size_t position) {
    StatusRow row;
    row.position = position;
    row.name = f.entry.str();
    row.token = f.entry.token;
    row.priority = f.entry.priority == Priority::cut ? "cut" : "normal";
    row.mode = std::string(mode_name(f.entry.mode));
    row.slots = f.entry.slots;
    // A dead owner's locks and waiting mark are gone with it: neither held nor
    // waiting. A live entry without its waiting mark holds, if it is a wait
    // file at all: one whose record cannot be read (garbage under a wait
    // file's name) may be anything, and is not shown as a second holder.
    bool stale = f.verdict.liveness == Liveness::stale;
    row.state = stale ? "stale" : f.waiting ? "waiting" : !f.record ? "unreadable" : "held";
    row.heartbeat_age_ms = f.heartbeat_age.count();
    row.alive = f.verdict.liveness != Liveness::stale;
    row.liveness = liveness_text(f.verdict);
    if (f.record) {
        const auto& r = *f.record;
        row.pid = r.pid;
        row.host = r.host;
        row.since_ms = !f.waiting && r.held_ms != 0 ? r.held_ms : r.created_ms;
        row.label = r.label;
        row.command = r.command;
        row.hold = r.hold;
    }
    return row;
}

std::string owner_of(const StatusRow& row) {
    return row.pid == 0 ? "?" : fmt::format("{}@{}", row.pid, printable(row.host));
}

std::string mode_of(const StatusRow& row) {
    std::string mode = row.mode == "slots" ? fmt::format("slots/{}", row.slots) : row.mode;
    return row.priority == "cut" ? mode + ",cut" : mode;
}

std::string what_of(const StatusRow& row) {
    if (row.hold) return "(held with --hold)";
    return command_line(row.command);
}

} // namespace

namespace {

// Left-aligned columns separated by two spaces; the last column unpadded.
std::string align(const std::vector<std::vector<std::string>>& cells) {
    std::vector<std::size_t> width(cells[0].size(), 0);
    for (const auto& line : cells)
        for (std::size_t c = 0; c < line.size(); ++c) width[c] = std::max(width[c], line[c].size());
    std::string out;
    for (const auto& line : cells) {
        for (std::size_t c = 0; c < line.size(); ++c)
            out += c + 1 == line.size() ? line[c] : fmt::format("{:<{}}  ", line[c], width[c]);
        out += "\n";
    }
    return out;
}

} // namespace

std::string format_task_table(const std::vector<TaskRow>& rows, std::int64_t now_ms) {
    std::vector<std::vector<std::string>> cells = {{"TASK", "STATE", "WORKER", "FOR", "EXIT", "ATTEMPTS"}};
    for (const auto& r : rows) {
        bool running = r.state == "running";
        bool finished = r.state == "done" || r.state == "failed";
        // (Task names have no control character; a result file's host may.)
        cells.push_back({r.task, r.state,
                         r.pid == 0 ? "-" : fmt::format("{}@{}", r.pid, printable(r.host)),
                         running    ? format_duration(Duration(now_ms - r.since_ms))
                         : finished ? format_duration(Duration(r.duration_ms))
                                    : "-",
                         finished ? std::to_string(r.exit_code) : "-",
                         finished ? std::to_string(r.attempts) : "-"});
    }
    return align(cells);
}

std::string format_task_json(const std::string& dir, const std::vector<TaskRow>& rows) {
    nlohmann::json tasks = nlohmann::json::array();
    for (const auto& r : rows) {
        tasks.push_back({{"task", r.task},          {"state", r.state},       {"pid", r.pid},
                         {"host", r.host},          {"since_ms", r.since_ms}, {"exit_code", r.exit_code},
                         {"attempts", r.attempts},  {"duration_ms", r.duration_ms}});
    }
    nlohmann::json j = {{"dir", dir}, {"kind", "workers"}, {"tasks", tasks}};
    return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::vector<StatusRow> status_rows(const std::vector<StatusFacts>& facts) {
    std::vector<StatusRow> rows;
    for (const auto& f : facts)
        rows.push_back(row_of(f, 0));
    // Holders first: a waiter that cut in line sorts before them but never
    // overtakes them (its own progress line counts them ahead of it).
    std::stable_partition(rows.begin(), rows.end(),
                          [](const StatusRow& r) { return r.state == "held"; });
    for (std::size_t i = 0; i < rows.size(); ++i)
        rows[i].position = i + 1;
    return rows;
}

std::string format_status_table(const std::vector<StatusRow>& rows, std::int64_t now_ms, bool colour) {
    std::vector<std::vector<std::string>> cells = {
        {"POS", "TOKEN", "MODE", "STATE", "OWNER", "FOR", "BEAT", "LIVENESS", "LABEL", "COMMAND"}};
    for (const auto& row : rows) {
        auto since = row.since_ms == 0 ? std::string("?") : format_duration(Duration(now_ms - row.since_ms));
        cells.push_back({std::to_string(row.position), std::to_string(row.token), mode_of(row),
                         row.state, owner_of(row), since,
                         format_duration(Duration(row.heartbeat_age_ms)), row.liveness,
                         row.label.empty() ? "-" : printable(row.label), what_of(row)});
    }
    std::string table = align(cells);
    if (!colour) return table;
    // Stale entries' liveness in red.
    for (const auto& row : rows) {
        if (row.alive) continue;
        auto at = table.find(row.liveness);
        if (at != std::string::npos) table.replace(at, row.liveness.size(), "\033[31m" + row.liveness + "\033[0m");
    }
    return table;
}

std::string format_status_json(const std::string& dir, const std::vector<StatusRow>& rows) {
    nlohmann::json entries = nlohmann::json::array();
    for (const auto& row : rows) {
        entries.push_back({{"position", row.position},
                           {"name", row.name},
                           {"token", row.token},
                           {"priority", row.priority},
                           {"mode", row.mode},
                           {"slots", row.slots},
                           {"state", row.state},
                           {"pid", row.pid},
                           {"host", row.host},
                           {"since_ms", row.since_ms},
                           {"heartbeat_age_ms", row.heartbeat_age_ms},
                           {"alive", row.alive},
                           {"liveness", row.liveness},
                           {"label", row.label},
                           {"command", row.command},
                           {"hold", row.hold}});
    }
    nlohmann::json j = {{"dir", dir}, {"kind", "queue"}, {"entries", entries}};
    return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

} // namespace coordctl
