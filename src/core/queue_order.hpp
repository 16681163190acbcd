// Who is ahead of whom, and what a waiter must wait for. Pure: the caller
// reads the directory and passes the entries in.
#pragma once

#include "core/entry_name.hpp"

#include <cstddef>
#include <optional>
#include <vector>

namespace coordctl {

struct WaitPlan {
    bool present = false;         // my entry is in the queue at all
    bool granted = false;         // I may hold now
    std::size_t position = 0;     // 1-based place in the queue
    std::size_t ahead = 0;        // entries before mine
    std::optional<EntryName> blocker; // the one entry I wait for (none if granted)
    std::optional<EntryName> head;    // the first entry (the holder, for progress)
};

// `entries` must be sorted (queue order). An exclusive entry waits for its
// predecessor; a shared entry waits for the nearest exclusive entry before it,
// so readers run together but never overtake a writer queued before them.
WaitPlan plan_wait(const std::vector<EntryName>& entries, const EntryName& me);

} // namespace coordctl
