#include "core/progress.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace coordctl {

std::string describe_owner(const std::optional<Record>& record) {
    if (!record) return "an unknown owner";
    std::string label = record->label.empty() ? "" : fmt::format(" [{}]", printable(record->label));
    std::string what = record->hold ? "held with --hold" : command_line(record->command);
    return fmt::format("{}@{}{} ({})", record->pid, printable(record->host), label, what);
}

std::string format_wait_status(const std::string& dir, const WaitStatus& status) {
    return fmt::format("waiting for {}: position {} ({} ahead), held by {} for {}", dir,
                       status.position, status.ahead, status.holder,
                       format_duration(status.holder_age));
}

std::string format_fill_status(const std::string& dir, std::size_t entered, std::size_t count,
                               Duration waited) {
    return fmt::format("waiting for {}: {} of {} participants have entered ({})", dir,
                       std::min(entered, count), count, format_duration(waited));
}

std::string format_drain_status(const std::string& dir, std::size_t not_done, std::size_t count,
                                Duration waited) {
    return fmt::format("waiting for {}: {} of {} members not done yet ({})", dir, not_done, count,
                       format_duration(waited));
}

std::string format_barrier_status(const std::string& path, const std::string& setter) {
    return fmt::format("waiting for barrier {} to be lifted{}{}", path,
                       setter.empty() ? "" : ", set ", setter);
}

std::string fit_to_width(std::string_view line, std::size_t columns) {
    auto is_start = [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; };
    // Where each character starts, up to one past the room there is.
    std::size_t room = columns > 0 ? columns - 1 : 0;
    std::vector<std::size_t> starts;
    for (std::size_t i = 0; i < line.size() && starts.size() <= room; ++i)
        if (is_start(line[i])) starts.push_back(i);
    if (columns == 0 || starts.size() <= room) return std::string(line);
    std::string_view ellipsis = room >= 3 ? "..." : "";
    return std::string(line.substr(0, starts[room - ellipsis.size()])).append(ellipsis);
}

std::string format_disagreement(const std::string& dir, const std::string& on_what) {
    return fmt::format("participants of {} disagree on {}", dir, on_what);
}

} // namespace coordctl
