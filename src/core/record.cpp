#include "core/record.hpp"

#include <nlohmann/json.hpp>

#include <utility>

namespace coordctl {

using nlohmann::json;

namespace {
// Unix milliseconds have 13 digits until the year 2286.
constexpr std::size_t held_ms_width = 13;
} // namespace

std::string format_record(const Record& r) {
    json j = {{"version", r.version},       {"token", r.token},   {"mode", r.mode},
              {"pid", r.pid},               {"host", r.host},     {"boot_id", r.boot_id},
              {"pid_start", r.pid_start},   {"created_ms", r.created_ms},
              {"ttl_ms", r.ttl_ms},         {"command", r.command}, {"label", r.label},
              {"hold", r.hold},             {"held_ms", r.held_ms}};
    // Replace invalid UTF-8 in user text instead of throwing.
    std::string text = j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
    auto slot = held_ms_slot(text);
    auto end = text.find_first_of(",}", slot.offset);
    text.insert(end, held_ms_width - (end - slot.offset), ' ');
    return text;
}

HeldSlot held_ms_slot(const std::string& text) {
    static const std::string key = "\"held_ms\":";
    auto at = text.find(key);
    if (at == std::string::npos) return {};
    auto offset = at + key.size();
    auto end = text.find_first_of(",}", offset);
    return {offset, end - offset};
}

std::string held_ms_text(std::int64_t held_ms, std::size_t width) {
    std::string digits = std::to_string(held_ms);
    if (digits.size() < width) digits.append(width - digits.size(), ' ');
    return digits.substr(0, width);
}

namespace {

template <typename T> bool take(const json& j, const char* key, T& out) {
    auto it = j.find(key);
    if (it == j.end()) return false;
    if constexpr (std::is_same_v<T, std::string>) {
        if (!it->is_string()) return false;
    } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
        if (!it->is_array()) return false;
        for (const auto& word : *it)
            if (!word.is_string()) return false;
    } else if constexpr (std::is_unsigned_v<T>) {
        if (!it->is_number_unsigned() || !std::in_range<T>(it->get<std::uint64_t>())) return false;
    } else {
        if (!it->is_number_integer()) return false;
        // Out of T's range must not wrap into a plausible value (2^32 + 1 is not version 1).
        bool fits = it->is_number_unsigned() ? std::in_range<T>(it->get<std::uint64_t>())
                                             : std::in_range<T>(it->get<std::int64_t>());
        if (!fits) return false;
    }
    out = it->get<T>();
    return true;
}

} // namespace

std::optional<Record> parse_record(std::string_view text) {
    if (text.size() > Record::max_size) return std::nullopt;
    json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) return std::nullopt;
    Record r;
    bool ok = take(j, "version", r.version) && r.version == Record::current_version &&
              take(j, "token", r.token) && take(j, "mode", r.mode) && take(j, "pid", r.pid) &&
              take(j, "host", r.host) && take(j, "boot_id", r.boot_id) &&
              take(j, "pid_start", r.pid_start) && take(j, "created_ms", r.created_ms) &&
              take(j, "ttl_ms", r.ttl_ms) && take(j, "command", r.command) &&
              take(j, "label", r.label);
    if (auto hold = j.find("hold"); hold != j.end()) { // optional: absent means false
        if (!hold->is_boolean()) return std::nullopt;
        r.hold = hold->get<bool>();
    }
    if (j.contains("held_ms") && !take(j, "held_ms", r.held_ms)) return std::nullopt;
    bool sane = r.pid > 0 && r.ttl_ms > 0 &&
                (r.mode == "exclusive" || r.mode == "shared" || r.mode == "slots");
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
