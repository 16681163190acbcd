// The words of the waiting line and of conflict messages.
#pragma once

#include "core/duration.hpp"
#include "core/record.hpp"

#include <cstddef>
#include <optional>
#include <string>

namespace coordctl {

// "1234@host [label] (sleep 5)", or "an unknown owner" without a readable record.
std::string describe_owner(const std::optional<Record>& record);

struct WaitStatus {
    std::size_t position = 0;
    std::size_t ahead = 0;
    std::string holder;     // describe_owner() of the first entry
    Duration holder_age{0}; // how long the first entry has been in the queue
};

// "waiting for DIR: position 3 (2 ahead), held by 1234@host (sleep 5) for 12s"
std::string format_wait_status(const std::string& dir, const WaitStatus& status);

// "participants of DIR disagree on the lock mode: entry ... uses --slots 2, this one exclusive"
std::string format_disagreement(const std::string& dir, const std::string& on_what);

} // namespace coordctl
