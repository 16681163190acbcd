// Who is ahead of whom, and what a waiter must wait for. Pure: the caller
// reads the directory and passes the entries in.
#pragma once

#include "core/entry_name.hpp"

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace coordctl {

enum class WatchKind {
    departure, // wait until the entry is gone (released, cancelled or dead)
    grant,     // wait until the entry is granted or gone
};

struct Watch {
    EntryName entry;
    WatchKind kind = WatchKind::departure;
    bool operator==(const Watch&) const = default;
};

struct WaitPlan {
    bool present = false;         // my entry is in the queue at all
    bool granted = false;         // I may hold now
    std::string conflict;         // participants disagree on the mode: why
    std::size_t position = 0;     // 1-based place in the queue
    std::size_t ahead = 0;        // entries that must go (or be granted) before me
    std::vector<Watch> watch;     // what to wait for (empty if granted)
    std::optional<EntryName> head; // the first entry ahead (a holder, for progress)
    // Slots, with at most N ahead (granted, or the first waiter): those
    // entries. A slots entry records them at its grant (see
    // slots_plan_after_grant).
    std::vector<EntryName> slots_ahead;
};

// Slots and exclusive/shared entries cannot share a queue, nor slots of
// different N: which entry of `entries` me disagrees with, or "".
std::string mode_conflict(std::span<const EntryName> entries, const EntryName& me);
// "participants of DIR disagree on the lock mode: entry ... uses --slots 2, this one exclusive"
std::string format_disagreement(const std::string& dir, const std::string& on_what);

// `entries` must be sorted (queue order). `must_follow` lists the holders a
// cut-in-line entry found when it joined: it sorts before them but must not
// overtake them.
//  - exclusive: waits for its predecessor to leave;
//  - shared: waits for the nearest exclusive entry before it, so readers run
//    together but never overtake a writer queued before them;
//  - slots N: holds while fewer than N are ahead. The first waiter (exactly
//    N ahead) waits for any of those N to leave; a later one waits for its
//    predecessor to be granted (or leave), so a release wakes O(1) waiters.
// All participants must use the same mode family (and the same N for slots).
WaitPlan plan_wait(const std::vector<EntryName>& entries, const EntryName& me,
                   const std::vector<EntryName>& must_follow = {});

// The entry a waiter waited for (its plan's departure watch) has left. May
// `me` hold without reading the directory again? Only if the blocker was an
// exclusive normal entry ahead of `me`, itself a normal exclusive or shared
// one (departure_may_decide), and the blocker had been granted before it
// left: at its grant nothing sorted before it; between it and `me` there are
// only shared entries for a shared `me` (none for an exclusive one: the
// blocker was the nearest); since then only a cut-in-line entry can have
// joined ahead of `me`, and none has if the newest cut-in-line token
// (nullopt: unknown) is older than the blocker's. The caller checks, under
// the token lock, that the blocker's name is gone.
bool departure_may_decide(const EntryName& me, const EntryName& blocker);
bool may_hold_after_departure(const EntryName& me, const EntryName& blocker,
                              bool blocker_was_granted, std::optional<std::uint64_t> newest_cut);

// The same for a slots entry, whose departure watches plan_wait arms only
// when exactly N entries are ahead (the first waiter): one of those N has
// left. Since that look no entry can have joined ahead of a normal `me` but
// a cut-in-line one, and none has if the newest cut-in-line token (nullopt:
// unknown) is older than mine: every entry ahead now was one of the N, the
// departed one is not, so fewer than N are ahead.
bool slots_departure_may_decide(const EntryName& me);
bool slots_may_hold_after_departure(const EntryName& me, std::optional<std::uint64_t> newest_cut);

// A later slots waiter (more than N ahead at its last look) waits for its
// predecessor's grant, and the predecessor records the entries that were
// ahead of it then (`recorded`, fewer than N). If the predecessor was still
// marked waiting after that look (the caller checks: its list then dates
// from after it), and no cut-in-line entry joined since I did (the newest
// cut-in-line token, nullopt if unknown, is older than mine), nothing can
// have joined ahead of a normal `me` since: the entries ahead of me now are
// the predecessor and `recorded`, those still there (`present`: true,
// false, or nullopt when that cannot be told). Returns the plan a full look
// would make (granted, or the first waiter), or nullopt if the rule does not
// apply: `me` cut in line or not slots, a presence unknown, or a record that
// does not fit (N or more names, names not before the predecessor, another
// mode or N).
std::optional<WaitPlan>
slots_plan_after_grant(const EntryName& me, const EntryName& predecessor,
                       const std::vector<EntryName>& recorded,
                       std::optional<std::uint64_t> newest_cut,
                       const std::function<std::optional<bool>(const EntryName&)>& present);

} // namespace coordctl
