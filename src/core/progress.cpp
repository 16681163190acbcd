#include "core/progress.hpp"

#include <fmt/format.h>

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

std::string format_disagreement(const std::string& dir, const std::string& on_what) {
    return fmt::format("participants of {} disagree on {}", dir, on_what);
}

} // namespace coordctl
