#include "core/barrier.hpp"

#include "core/duration.hpp"
#include "core/json_field.hpp"
#include "core/record.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace coordctl {

using nlohmann::json;

std::optional<BarrierPath> split_barrier_path(std::string_view path) {
    auto slash = path.rfind('/');
    std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    if (name.empty() || name == "." || name == "..") return std::nullopt;
    if (slash == std::string_view::npos)
        return BarrierPath{".", std::string(name), std::string(path)};
    std::string_view dir = path.substr(0, slash);
    while (!dir.empty() && dir.back() == '/')
        dir.remove_suffix(1);
    return BarrierPath{dir.empty() ? "/" : std::string(dir), std::string(name), std::string(path)};
}

std::string format_barrier_record(const BarrierRecord& r) {
    json j = {
        {"version", r.version}, {"pid", r.pid}, {"host", r.host}, {"created_ms", r.created_ms}};
    return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

std::optional<BarrierRecord> parse_barrier_record(std::string_view text) {
    if (text.size() > BarrierRecord::max_size) return std::nullopt;
    json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) return std::nullopt;
    BarrierRecord r;
    bool ok = take_field(j, "version", r.version) && r.version == BarrierRecord::current_version &&
              take_field(j, "pid", r.pid) && take_field(j, "host", r.host) &&
              take_field(j, "created_ms", r.created_ms);
    if (!ok || r.pid <= 0) return std::nullopt;
    return r;
}

std::string describe_setter(const std::optional<BarrierRecord>& record, std::int64_t now_ms) {
    if (!record) return "";
    auto age = Duration(std::max<std::int64_t>(0, now_ms - record->created_ms));
    return fmt::format("by {}@{} {} ago", record->pid, printable(record->host),
                       format_duration(age));
}

bool barrier_lifted(const BarrierSight& found, const BarrierSight& now) {
    if (!now.present) return true;
    // A birth time only where both looks had one (a filesystem may not say).
    bool same_birth = now.born_ns == 0 || found.born_ns == 0 || now.born_ns == found.born_ns;
    bool same_file =
        now.regular == found.regular && now.dev == found.dev && now.ino == found.ino && same_birth;
    if (!same_file) return true;
    return parse_barrier_record(found.content) && now.content != found.content;
}

} // namespace coordctl
