#include "core/queue_order.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace coordctl {

namespace {

std::string describe(const EntryName& e) {
    return e.mode == Mode::slots ? fmt::format("--slots {}", e.slots)
                                 : std::string(mode_name(e.mode));
}

void plan_slots(const std::vector<EntryName>& ahead, const EntryName& me, WaitPlan& plan) {
    if (ahead.size() > me.slots) {
        plan.watch.push_back({ahead.back(), WatchKind::grant});
        return;
    }
    plan.slots_ahead = ahead;
    if (ahead.size() < me.slots) return;
    for (const auto& e : ahead) plan.watch.push_back({e, WatchKind::departure});
}

} // namespace

std::string mode_conflict(std::span<const EntryName> entries, const EntryName& me) {
    for (const auto& e : entries) {
        bool both_slots = e.mode == Mode::slots && me.mode == Mode::slots;
        bool neither = e.mode != Mode::slots && me.mode != Mode::slots;
        if (neither || (both_slots && e.slots == me.slots)) continue;
        return fmt::format("entry {} uses {}, this one {}", e.str(), describe(e), describe(me));
    }
    return {};
}

WaitPlan plan_wait(const std::vector<EntryName>& entries, const EntryName& me,
                   const std::vector<EntryName>& must_follow) {
    WaitPlan plan;
    auto mine = std::lower_bound(entries.begin(), entries.end(), me);
    if (mine == entries.end() || !(*mine == me)) return plan;
    plan.present = true;
    plan.conflict = mode_conflict(entries, me);
    // Holders I must not overtake first, then everyone sorted before me (the
    // predecessor last).
    std::vector<EntryName> ahead;
    for (const auto& e : must_follow) {
        if (std::binary_search(entries.begin(), entries.end(), e)) ahead.push_back(e);
    }
    ahead.insert(ahead.end(), entries.begin(), mine);
    if (!ahead.empty()) plan.head = ahead.front(); // a holder (for cut entries: one it follows)
    plan.ahead = ahead.size();
    plan.position = plan.ahead + 1;
    if (me.mode == Mode::exclusive) {
        if (!ahead.empty()) plan.watch.push_back({ahead.back(), WatchKind::departure});
    } else if (me.mode == Mode::shared) {
        auto is_exclusive = [](const EntryName& e) { return e.mode == Mode::exclusive; };
        auto rit = std::find_if(ahead.rbegin(), ahead.rend(), is_exclusive);
        if (rit != ahead.rend()) plan.watch.push_back({*rit, WatchKind::departure});
    } else {
        plan_slots(ahead, me, plan);
    }
    plan.granted = plan.watch.empty() && plan.conflict.empty();
    return plan;
}

bool departure_may_decide(const EntryName& me, const EntryName& blocker) {
    return blocker < me && me.priority == Priority::normal &&
           blocker.priority == Priority::normal && blocker.mode == Mode::exclusive &&
           (me.mode == Mode::exclusive || me.mode == Mode::shared);
}

bool may_hold_after_departure(const EntryName& me, const EntryName& blocker,
                              bool blocker_was_granted, std::optional<std::uint64_t> newest_cut) {
    return departure_may_decide(me, blocker) && blocker_was_granted && newest_cut &&
           *newest_cut < blocker.token;
}

bool slots_departure_may_decide(const EntryName& me) {
    return me.mode == Mode::slots && me.priority == Priority::normal;
}

bool slots_may_hold_after_departure(const EntryName& me, std::optional<std::uint64_t> newest_cut) {
    return slots_departure_may_decide(me) && newest_cut && *newest_cut < me.token;
}

std::optional<WaitPlan>
slots_plan_after_grant(const EntryName& me, const EntryName& predecessor,
                       const std::vector<EntryName>& recorded,
                       std::optional<std::uint64_t> newest_cut,
                       const std::function<std::optional<bool>(const EntryName&)>& present) {
    auto same_queue = [&me](const EntryName& e) { return e.mode == Mode::slots && e.slots == me.slots; };
    if (!slots_may_hold_after_departure(me, newest_cut) || !(predecessor < me) ||
        !same_queue(predecessor) || recorded.size() >= me.slots)
        return std::nullopt;
    std::vector<EntryName> candidates = recorded;
    candidates.push_back(predecessor);
    std::vector<EntryName> entries{me};
    for (const auto& e : candidates) {
        if (!(e <= predecessor) || !same_queue(e)) return std::nullopt;
        auto there = present(e);
        if (!there) return std::nullopt;
        if (*there) entries.push_back(e);
    }
    std::sort(entries.begin(), entries.end());
    entries.erase(std::unique(entries.begin(), entries.end()), entries.end());
    return plan_wait(entries, me);
}

std::string format_disagreement(const std::string& dir, const std::string& on_what) {
    return fmt::format("participants of {} disagree on {}", dir, on_what);
}

} // namespace coordctl
