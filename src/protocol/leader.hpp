// Who leads a queue now: the first live entry that has been granted.
#pragma once

#include "protocol/queue.hpp"

#include <optional>
#include <string>

namespace coordctl {

struct Leader {
    EntryName entry;
    Record record;
    std::string id; // the label, or pid@host
    bool operator==(const Leader& other) const { return entry == other.entry; }
};

// The first live entry that has been granted (the leader), else the first
// live one (about to lead). A granted entry behind a cut-in-line one still
// leads until it notices and steps down.
struct QueueHead {
    std::optional<Leader> leader;
    std::optional<EntryName> pending;
};

// Reads the queue without changing it: dead entries are skipped, not removed.
QueueHead queue_head(Queue& queue);
inline std::optional<Leader> current_leader(Queue& queue) { return queue_head(queue).leader; }

// One line for humans (the id, "" for none) or a JSON object (null for none).
std::string format_leader(const std::optional<Leader>& leader, bool json, const std::string& dir);

} // namespace coordctl
