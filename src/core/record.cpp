#include "core/record.hpp"

#include "core/json_field.hpp"

#include <nlohmann/json.hpp>

namespace coordctl {

using nlohmann::json;

std::string format_record(const Record& r) {
    json j = {{"version", r.version},       {"token", r.token},   {"mode", r.mode},
              {"pid", r.pid},               {"host", r.host},     {"boot_id", r.boot_id},
              {"pid_start", r.pid_start},   {"created_ms", r.created_ms},
              {"ttl_ms", r.ttl_ms},         {"command", r.command}, {"label", r.label}};
    // Replace invalid UTF-8 in user text instead of throwing.
    return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

std::optional<Record> parse_record(std::string_view text) {
    if (text.size() > Record::max_size) return std::nullopt;
    json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) return std::nullopt;
    Record r;
    bool ok = take_field(j, "version", r.version) && r.version == Record::current_version &&
              take_field(j, "token", r.token) && take_field(j, "mode", r.mode) &&
              take_field(j, "pid", r.pid) && take_field(j, "host", r.host) &&
              take_field(j, "boot_id", r.boot_id) && take_field(j, "pid_start", r.pid_start) &&
              take_field(j, "created_ms", r.created_ms) && take_field(j, "ttl_ms", r.ttl_ms) &&
              take_field(j, "command", r.command) && take_field(j, "label", r.label);
    bool sane = r.pid > 0 && r.ttl_ms > 0 && (r.mode == "exclusive" || r.mode == "shared");
    if (!ok || !sane) return std::nullopt;
    return r;
}

std::string command_line(const std::vector<std::string>& command) {
    if (command.empty()) return "(none)";
    std::string line;
    for (const auto& word : command) {
        if (!line.empty()) line += ' ';
        line += word;
    }
    return line;
}

} // namespace coordctl
