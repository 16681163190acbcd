#include "protocol/leader.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace coordctl {

QueueHead queue_head(Queue& queue) {
    std::optional<EntryName> first;
    for (const auto& entry : queue.entries()) {
        auto probe = queue.probe(entry);
        if (!probe.exists || judge_owner(probe.facts).liveness == Liveness::stale) continue;
        if (!first) first = entry;
        if (probe.waiting) continue; // not granted (yet)
        auto record = queue.read_record(entry);
        if (!record) continue; // leads nobody we can name
        std::string id = record->label.empty() ? fmt::format("{}@{}", record->pid, record->host)
                                               : record->label;
        return {Leader{entry, *record, id}, std::nullopt};
    }
    return {std::nullopt, first};
}

std::string format_leader(const std::optional<Leader>& leader, bool json, const std::string& dir) {
    if (!json) return leader ? printable(leader->id) : "";
    if (!leader) return "null";
    nlohmann::json j = {{"id", leader->id},
                        {"token", leader->entry.token},
                        {"pid", leader->record.pid},
                        {"host", leader->record.host},
                        {"since_ms", leader->record.held_ms},
                        {"wait_file", dir + "/" + leader->entry.str()}};
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace coordctl
