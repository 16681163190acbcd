#include "core/task.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace coordctl {

namespace {
constexpr std::size_t max_task_name = 200;
}

std::string task_name_problem(std::string_view name) {
    if (name.empty()) return "a task name cannot be empty";
    if (name.size() > max_task_name) return "a task name is at most 200 bytes";
    if (name.front() == '.') return "a task name cannot start with a dot";
    if (name.find('/') != std::string_view::npos) return "a task name cannot contain '/'";
    for (unsigned char c : name)
        if (c < 0x20 || c == 0x7f) return "a task name cannot contain control characters";
    return {};
}

std::vector<std::string> parse_task_list(std::string_view text) {
    std::vector<std::string> names;
    while (!text.empty()) {
        auto end = text.find('\n');
        auto line = text.substr(0, end);
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
        while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r'))
            line.remove_suffix(1);
        if (!line.empty() && line.front() != '#') names.emplace_back(line);
    }
    return names;
}

std::vector<std::string> substitute_task(const std::vector<std::string>& args, const std::string& task) {
    std::vector<std::string> out;
    for (auto arg : args) {
        for (auto at = arg.find("{}"); at != std::string::npos; at = arg.find("{}", at + task.size()))
            arg.replace(at, 2, task);
        out.push_back(std::move(arg));
    }
    return out;
}

std::string format_task_result(const TaskResult& r) {
    nlohmann::json j = {{"state", r.done ? "done" : "failed"}, {"exit_code", r.exit_code},
                        {"attempts", r.attempts},                {"host", r.host},
                        {"pid", r.pid},                          {"duration_ms", r.duration_ms},
                        {"finished_ms", r.finished_ms}};
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::optional<TaskResult> parse_task_result(std::string_view text) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object()) return std::nullopt;
    TaskResult r;
    try {
        auto state = j.at("state").get<std::string>();
        if (state != "done" && state != "failed") return std::nullopt;
        r.done = state == "done";
        r.exit_code = j.at("exit_code").get<int>();
        r.attempts = j.at("attempts").get<int>();
        r.host = j.at("host").get<std::string>();
        r.pid = j.at("pid").get<std::int64_t>();
        r.duration_ms = j.at("duration_ms").get<std::int64_t>();
        r.finished_ms = j.at("finished_ms").get<std::int64_t>();
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
    return r;
}

Duration restart_backoff(int consecutive_exits) {
    int n = std::clamp(consecutive_exits, 1, 6);
    return std::min<Duration>(Duration(1000LL << (n - 1)), std::chrono::seconds(30));
}

} // namespace coordctl
