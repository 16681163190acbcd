#include "core/queue_order.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

using coordctl::EntryName;
using coordctl::Mode;
using coordctl::plan_wait;
using coordctl::Priority;
using coordctl::WaitPlan;

namespace {

EntryName x(std::uint64_t token) {
    return {Priority::normal, token, Mode::exclusive};
}
EntryName s(std::uint64_t token) {
    return {Priority::normal, token, Mode::shared};
}
EntryName cut_x(std::uint64_t token) {
    return {Priority::cut, token, Mode::exclusive};
}
EntryName cut_s(std::uint64_t token) {
    return {Priority::cut, token, Mode::shared};
}

// The blocker's name, or "none" (so a failure shows what was expected).
std::string blocker_of(const WaitPlan& plan) {
    if (plan.watch.empty()) return "none";
    REQUIRE(plan.watch.size() == 1);
    CHECK(plan.watch.front().kind == coordctl::WatchKind::departure);
    return plan.watch.front().entry.str();
}

std::string head_of(const WaitPlan& plan) {
    return plan.head ? plan.head->str() : "none";
}

} // namespace

TEST_CASE("plan_wait: alone in the queue") {
    for (const auto& me : {x(1), s(1), cut_x(5)}) {
        CAPTURE(me.str());
        WaitPlan plan = plan_wait({me}, me);
        CHECK(plan.present);
        CHECK(plan.granted);
        CHECK(plan.position == 1);
        CHECK(plan.ahead == 0);
        CHECK(blocker_of(plan) == "none");
        CHECK(head_of(plan) == "none"); // nobody ahead
    }
}

TEST_CASE("plan_wait: my entry is not in the queue") {
    SUBCASE("empty queue") {
        WaitPlan plan = plan_wait({}, x(1));
        CHECK_FALSE(plan.present);
        CHECK_FALSE(plan.granted);
        CHECK(plan.position == 0);
        CHECK(plan.ahead == 0);
        CHECK(blocker_of(plan) == "none");
        CHECK(head_of(plan) == "none");
    }
    SUBCASE("others only, before and after where it would be") {
        for (const auto& me : {x(2), x(0), x(9), s(2), cut_x(2)}) {
            CAPTURE(me.str());
            WaitPlan plan = plan_wait({x(1), s(3), x(4)}, me);
            CHECK_FALSE(plan.present);
            CHECK_FALSE(plan.granted);
            CHECK(plan.position == 0);
            CHECK(blocker_of(plan) == "none");
        }
    }
    SUBCASE("same token with another mode or priority is someone else") {
        CHECK_FALSE(plan_wait({x(1), x(2)}, s(2)).present);
        CHECK_FALSE(plan_wait({s(1), s(2)}, x(2)).present);
        CHECK_FALSE(plan_wait({x(1), x(2)}, cut_x(2)).present);
    }
}

TEST_CASE("plan_wait: an exclusive entry waits for its predecessor only") {
    std::vector<EntryName> queue = {x(1), x(2), x(5), x(9)};

    WaitPlan first = plan_wait(queue, x(1));
    CHECK(first.granted);
    CHECK(blocker_of(first) == "none");

    WaitPlan second = plan_wait(queue, x(2));
    CHECK(second.present);
    CHECK_FALSE(second.granted);
    CHECK(second.position == 2);
    CHECK(second.ahead == 1);
    CHECK(blocker_of(second) == x(1).str());
    CHECK(head_of(second) == x(1).str());

    WaitPlan last = plan_wait(queue, x(9));
    CHECK_FALSE(last.granted);
    CHECK(last.position == 4);
    CHECK(last.ahead == 3);
    CHECK(blocker_of(last) == x(5).str()); // not the holder
    CHECK(head_of(last) == x(1).str());
}

TEST_CASE("plan_wait: readers together") {
    std::vector<EntryName> queue = {s(1), s(2), s(3)};
    for (std::size_t i = 0; i < queue.size(); ++i) {
        CAPTURE(i);
        WaitPlan plan = plan_wait(queue, queue[i]);
        CHECK(plan.present);
        CHECK(plan.granted);
        CHECK(plan.position == i + 1);
        CHECK(plan.ahead == i);
        CHECK(blocker_of(plan) == "none");
        CHECK(head_of(plan) == (i == 0 ? "none" : s(1).str()));
    }
}

TEST_CASE("plan_wait: a reader waits for the nearest exclusive entry before it") {
    SUBCASE("behind a writer and other readers") {
        std::vector<EntryName> queue = {x(1), s(2), s(3)};
        WaitPlan plan = plan_wait(queue, s(3));
        CHECK_FALSE(plan.granted);
        CHECK(plan.position == 3);
        CHECK(plan.ahead == 2);
        CHECK(blocker_of(plan) == x(1).str()); // not s(2)
        CHECK(blocker_of(plan_wait(queue, s(2))) == x(1).str());
    }
    SUBCASE("the nearest of several writers") {
        std::vector<EntryName> queue = {x(1), x(2), s(3), s(4)};
        CHECK(blocker_of(plan_wait(queue, s(3))) == x(2).str());
        CHECK(blocker_of(plan_wait(queue, s(4))) == x(2).str());
    }
    SUBCASE("readers never overtake a writer queued before them") {
        std::vector<EntryName> queue = {s(1), x(2), s(3)};
        WaitPlan holder = plan_wait(queue, s(1));
        CHECK(holder.granted);
        WaitPlan reader = plan_wait(queue, s(3));
        CHECK_FALSE(reader.granted);
        CHECK(blocker_of(reader) == x(2).str());
        CHECK(head_of(reader) == s(1).str());
    }
    SUBCASE("mixed queue") {
        std::vector<EntryName> queue = {s(1), s(2), x(3), s(4), x(5), s(6), s(7)};
        CHECK(plan_wait(queue, s(2)).granted);
        CHECK(blocker_of(plan_wait(queue, s(4))) == x(3).str());
        CHECK(blocker_of(plan_wait(queue, s(6))) == x(5).str());
        WaitPlan last = plan_wait(queue, s(7));
        CHECK(blocker_of(last) == x(5).str());
        CHECK(last.position == 7);
        CHECK(last.ahead == 6);
    }
}

TEST_CASE("plan_wait: a writer behind readers waits for its immediate predecessor") {
    std::vector<EntryName> queue = {s(1), s(2), s(3), x(4), x(5)};
    WaitPlan writer = plan_wait(queue, x(4));
    CHECK_FALSE(writer.granted);
    CHECK(writer.position == 4);
    CHECK(writer.ahead == 3);
    CHECK(blocker_of(writer) == s(3).str());
    CHECK(head_of(writer) == s(1).str());
    CHECK(blocker_of(plan_wait(queue, x(5))) == x(4).str());
}

TEST_CASE("plan_wait: cut entries sort first") {
    std::vector<EntryName> queue = {x(1), s(2), x(3), cut_x(10), cut_s(11)};
    std::sort(queue.begin(), queue.end());
    REQUIRE(queue.front() == cut_x(10));

    WaitPlan cutter = plan_wait(queue, cut_x(10));
    CHECK(cutter.granted);
    CHECK(cutter.position == 1);
    CHECK(cutter.ahead == 0);
    CHECK(head_of(cutter) == "none");

    WaitPlan cut_reader = plan_wait(queue, cut_s(11));
    CHECK_FALSE(cut_reader.granted);
    CHECK(cut_reader.position == 2);
    CHECK(blocker_of(cut_reader) == cut_x(10).str());

    WaitPlan old_first = plan_wait(queue, x(1));
    CHECK_FALSE(old_first.granted);
    CHECK(old_first.position == 3);
    CHECK(old_first.ahead == 2);
    CHECK(blocker_of(old_first) == cut_s(11).str());
    CHECK(head_of(old_first) == cut_x(10).str());

    WaitPlan reader = plan_wait(queue, s(2));
    CHECK(reader.position == 4);
    CHECK(blocker_of(reader) == x(1).str());

    WaitPlan last = plan_wait(queue, x(3));
    CHECK(last.position == 5);
    CHECK(last.ahead == 4);
    CHECK(blocker_of(last) == s(2).str());
}

TEST_CASE("plan_wait: a reader behind cut readers and normal readers") {
    std::vector<EntryName> queue = {cut_s(7), s(1), s(2)};
    for (const auto& me : queue) {
        CAPTURE(me.str());
        WaitPlan plan = plan_wait(queue, me);
        CHECK(plan.granted);
        CHECK(head_of(plan) == (me == cut_s(7) ? "none" : cut_s(7).str()));
    }
}

namespace {
EntryName k(std::uint64_t token, std::uint32_t n, coordctl::Priority p = coordctl::Priority::normal) {
    return EntryName{p, token, Mode::slots, n};
}
std::vector<std::string> watched(const WaitPlan& plan, coordctl::WatchKind kind) {
    std::vector<std::string> out;
    for (const auto& w : plan.watch)
        if (w.kind == kind) out.push_back(w.entry.str());
    return out;
}
} // namespace

TEST_CASE("slots: N hold at once; the first waiter watches the N holders, later ones their predecessor's grant") {
    std::vector<EntryName> queue = {k(1, 2), k(2, 2), k(3, 2), k(4, 2), k(5, 2)};
    CHECK(plan_wait(queue, k(1, 2)).granted);
    CHECK(plan_wait(queue, k(2, 2)).granted);
    auto first_waiter = plan_wait(queue, k(3, 2));
    CHECK_FALSE(first_waiter.granted);
    CHECK(first_waiter.ahead == 2);
    CHECK(watched(first_waiter, coordctl::WatchKind::departure) ==
          std::vector<std::string>{k(1, 2).str(), k(2, 2).str()});
    CHECK(watched(first_waiter, coordctl::WatchKind::grant).empty());
    auto second_waiter = plan_wait(queue, k(4, 2));
    CHECK(watched(second_waiter, coordctl::WatchKind::grant) == std::vector<std::string>{k(3, 2).str()});
    CHECK(watched(second_waiter, coordctl::WatchKind::departure).empty());
    CHECK(plan_wait(queue, k(5, 2)).watch.front().entry == k(4, 2));
}

TEST_CASE("slots: a mismatch of N or of mode family is a conflict, never a grant") {
    std::vector<EntryName> mixed = {k(1, 3), k(2, 2)};
    auto plan = plan_wait(mixed, k(2, 2));
    CHECK_FALSE(plan.granted);
    CHECK(plan.conflict.find("--slots 3") != std::string::npos);
    CHECK(plan.conflict.find("--slots 2") != std::string::npos);
    std::vector<EntryName> with_lock = {EntryName{coordctl::Priority::normal, 1, Mode::exclusive}, k(2, 4)};
    CHECK_FALSE(plan_wait(with_lock, k(2, 4)).granted);
    CHECK(plan_wait(with_lock, with_lock[0]).conflict.find("exclusive") != std::string::npos);
    std::vector<EntryName> agree = {k(1, 3), k(2, 3)};
    CHECK(plan_wait(agree, k(2, 3)).conflict.empty());
}

TEST_CASE("a cut entry does not overtake the holders it found when it joined") {
    using coordctl::Priority;
    EntryName holder{Priority::normal, 1, Mode::exclusive};
    EntryName waiter{Priority::normal, 2, Mode::exclusive};
    EntryName cut{Priority::cut, 3, Mode::exclusive};
    std::vector<EntryName> queue = {cut, holder, waiter};
    auto plan = plan_wait(queue, cut, {holder});
    CHECK_FALSE(plan.granted);
    CHECK(plan.position == 2);
    CHECK(blocker_of(plan) == holder.str());
    // The waiter behind now waits for the holder, then for the cut entry.
    CHECK(blocker_of(plan_wait(queue, waiter)) == holder.str());
    std::vector<EntryName> after = {cut, waiter};
    CHECK(plan_wait(after, cut, {holder}).granted);
    CHECK(blocker_of(plan_wait(after, waiter)) == cut.str());
}

TEST_CASE("a cut slots entry counts the holders it found") {
    using coordctl::Priority;
    std::vector<EntryName> queue = {k(9, 2, Priority::cut), k(1, 2), k(2, 2), k(3, 2)};
    auto plan = plan_wait(queue, queue[0], {k(1, 2), k(2, 2)});
    CHECK_FALSE(plan.granted);
    CHECK(watched(plan, coordctl::WatchKind::departure) == std::vector<std::string>{k(1, 2).str(), k(2, 2).str()});
    std::vector<EntryName> one_left = {k(9, 2, Priority::cut), k(2, 2), k(3, 2)};
    CHECK(plan_wait(one_left, one_left[0], {k(1, 2), k(2, 2)}).granted);
}

TEST_CASE("may_hold_after_departure: only after a granted exclusive blocker, with no cut-in-line "
          "join since") {
    using coordctl::may_hold_after_departure;
    CHECK(may_hold_after_departure(x(5), x(4), true, 0));
    CHECK(may_hold_after_departure(s(5), x(2), true, 1)); // readers in between do not matter
    CHECK_FALSE(
        may_hold_after_departure(x(5), x(4), false, 0)); // died waiting: others may be ahead
    CHECK_FALSE(may_hold_after_departure(x(5), x(4), true, std::nullopt)); // unknown cut mark
    CHECK_FALSE(may_hold_after_departure(x(5), x(4), true, 4));
    CHECK_FALSE(may_hold_after_departure(x(5), x(4), true, 6)); // a cut entry joined after it
    CHECK_FALSE(may_hold_after_departure(x(5), s(4), true, 0)); // readers before it may still hold
    CHECK_FALSE(
        may_hold_after_departure(cut_x(5), x(4), true, 0)); // a cut entry has holders to follow
    CHECK_FALSE(may_hold_after_departure(x(5), cut_x(4), true, 0));
    CHECK_FALSE(may_hold_after_departure(x(4), x(5), true, 0)); // not ahead of me
    EntryName slots{Priority::normal, 5, Mode::slots, 3};
    CHECK_FALSE(may_hold_after_departure(slots, x(4), true, 0));
}

// The reasoning behind may_hold_after_departure, checked against plan_wait
// on random histories: whenever it says yes, a full look grants too.
TEST_CASE("may_hold_after_departure never grants what a full look would not") {
    std::uint64_t state = 12345;
    auto next = [&state](std::uint64_t n) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return (state >> 33) % n;
    };
    int shortcuts = 0;
    for (int round = 0; round < 20000; ++round) {
        std::vector<EntryName> entries;
        std::uint64_t high = 0, newest_cut = 0;
        auto join = [&] {
            bool cut = next(8) == 0;
            EntryName e{cut ? Priority::cut : Priority::normal, ++high,
                        next(3) == 0 ? Mode::shared : Mode::exclusive};
            if (cut) newest_cut = e.token;
            entries.insert(std::upper_bound(entries.begin(), entries.end(), e), e);
        };
        auto n = 2 + next(8);
        for (std::uint64_t i = 0; i < n; ++i)
            join();
        // Me: a normal entry with a blocker to wait for.
        std::vector<EntryName> normal;
        for (const auto& e : entries)
            if (e.priority == Priority::normal) normal.push_back(e);
        if (normal.empty()) continue;
        auto me = normal[next(normal.size())];
        auto plan = plan_wait(entries, me);
        if (plan.granted) continue;
        REQUIRE(plan.watch.size() == 1);
        auto blocker = plan.watch.front().entry;
        auto erase = [&entries](const EntryName& e) {
            entries.erase(std::remove(entries.begin(), entries.end(), e), entries.end());
        };
        auto others = [&] {
            std::vector<EntryName> out;
            for (const auto& e : entries)
                if (!(e == me) && !(e == blocker)) out.push_back(e);
            return out;
        };
        // Joins and departures, until the blocker may hold (it is granted)...
        while (!plan_wait(entries, blocker).granted) {
            if (next(3) == 0) {
                join();
            } else {
                auto ahead = std::find_if(entries.begin(), entries.end(),
                                          [&](const EntryName& e) { return e < blocker; });
                if (ahead != entries.end()) erase(*ahead);
            }
        }
        // ...then more joins and departures while it holds, then it leaves.
        for (auto steps = next(6); steps > 0; --steps) {
            auto rest = others();
            if (next(2) == 0 || rest.empty())
                join();
            else
                erase(rest[next(rest.size())]);
        }
        erase(blocker);
        if (!may_hold_after_departure(me, blocker, true, newest_cut)) continue;
        ++shortcuts;
        CAPTURE(me.str());
        CAPTURE(blocker.str());
        CHECK(plan_wait(entries, me).granted);
    }
    CHECK(shortcuts > 1000); // the property was exercised
}

TEST_CASE("slots_may_hold_after_departure: a normal slots entry, with no cut-in-line entry "
          "since it joined") {
    using coordctl::slots_may_hold_after_departure;
    CHECK(slots_may_hold_after_departure(k(5, 2), 0));
    CHECK(slots_may_hold_after_departure(k(5, 2), 4)); // a cut entry older than me was in my look
    CHECK_FALSE(slots_may_hold_after_departure(k(5, 2), 6));                // one joined after me
    CHECK_FALSE(slots_may_hold_after_departure(k(5, 2), std::nullopt));     // unknown cut mark
    CHECK_FALSE(slots_may_hold_after_departure(k(5, 2, Priority::cut), 0)); // holders to follow
    CHECK_FALSE(slots_may_hold_after_departure(x(5), 0)); // exclusive: may_hold_after_departure
}

// Random histories of a slots queue, for the rules' tests against
// plan_wait: entries join (one in 8 cut in line) and leave, tokens in
// joining order.
struct SlotsHistory {
    explicit SlotsHistory(std::uint64_t seed) : state(seed) {}
    std::uint64_t next(std::uint64_t n) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return (state >> 33) % n;
    }
    void start() {
        n_slots = static_cast<std::uint32_t>(1 + next(4));
        entries.clear();
        high = newest_cut = 0;
    }
    void join() {
        bool cut = next(8) == 0;
        auto e = k(++high, n_slots, cut ? Priority::cut : Priority::normal);
        if (cut) newest_cut = e.token;
        insert(e);
    }
    EntryName join_normal() {
        auto e = k(++high, n_slots);
        insert(e);
        return e;
    }
    void insert(const EntryName& e) {
        entries.insert(std::upper_bound(entries.begin(), entries.end(), e), e);
    }
    void erase(const EntryName& e) {
        entries.erase(std::remove(entries.begin(), entries.end(), e), entries.end());
    }

    std::uint64_t state;
    std::uint32_t n_slots = 0;
    std::vector<EntryName> entries;
    std::uint64_t high = 0, newest_cut = 0;
};

// The reasoning behind slots_may_hold_after_departure, checked against
// plan_wait on random histories: whenever it says yes, a full look grants too.
TEST_CASE("slots_may_hold_after_departure never grants what a full look would not") {
    SlotsHistory h(67890);
    auto next = [&h](std::uint64_t n) { return h.next(n); };
    int shortcuts = 0, caught = 0;
    for (int round = 0; round < 20000; ++round) {
        h.start();
        const auto n_slots = h.n_slots;
        auto& entries = h.entries;
        const auto& newest_cut = h.newest_cut;
        auto join = [&h] { h.join(); };
        auto erase = [&h](const EntryName& e) { h.erase(e); };
        auto n = 1 + next(10);
        for (std::uint64_t i = 0; i < n; ++i)
            join();
        // Me: a normal entry joining now.
        auto me = h.join_normal();
        // Joins and departures of others, each followed by my look, until I am the first waiter.
        auto plan = plan_wait(entries, me);
        for (int steps = 0; !plan.granted && plan.ahead != n_slots && steps < 20; ++steps) {
            if (next(3) == 0) {
                join();
            } else {
                std::vector<EntryName> others;
                for (const auto& e : entries)
                    if (!(e == me)) others.push_back(e);
                if (!others.empty()) erase(others[next(others.size())]);
            }
            plan = plan_wait(entries, me);
        }
        if (plan.granted || plan.ahead != n_slots) continue;
        std::vector<EntryName> watched_now;
        for (const auto& w : plan.watch)
            watched_now.push_back(w.entry);
        REQUIRE(watched_now.size() == n_slots);
        // After the look: joins anywhere and departures of entries not
        // watched (one watched leaving would wake me), then one watched leaves.
        for (auto steps = next(6); steps > 0; --steps) {
            std::vector<EntryName> unwatched;
            for (const auto& e : entries)
                if (!(e == me) &&
                    std::find(watched_now.begin(), watched_now.end(), e) == watched_now.end())
                    unwatched.push_back(e);
            if (next(2) == 0 || unwatched.empty())
                join();
            else
                erase(unwatched[next(unwatched.size())]);
        }
        erase(watched_now[next(watched_now.size())]);
        bool granted = plan_wait(entries, me).granted;
        if (!coordctl::slots_may_hold_after_departure(me, newest_cut)) {
            // Refused; count the cases where only the cut line stood between
            // the rule and an oversold slot.
            caught += !granted && coordctl::slots_may_hold_after_departure(me, 0);
            continue;
        }
        ++shortcuts;
        CAPTURE(me.str());
        CHECK(granted);
    }
    CHECK(shortcuts > 1000); // the property was exercised
    CHECK(caught > 100);     // and the cut line was needed in some histories
}

TEST_CASE("slots_plan_after_grant: on the predecessor and what it recorded, still there") {
    using coordctl::slots_plan_after_grant;
    using V = std::vector<EntryName>;
    std::vector<EntryName> there;
    std::optional<bool> know_5 = std::nullopt;
    auto present = [&](const EntryName& e) -> std::optional<bool> {
        if (e == k(5, 3) && !know_5) return std::nullopt;
        return std::find(there.begin(), there.end(), e) != there.end();
    };
    know_5 = true;
    there = {k(2, 3), k(5, 3), k(7, 3)}; // N ahead: the first waiter, watching all three
    auto plan = slots_plan_after_grant(k(9, 3), k(7, 3), V{k(2, 3), k(5, 3)}, 1, present);
    REQUIRE(plan.has_value());
    CHECK_FALSE(plan->granted);
    CHECK(plan->ahead == 3);
    CHECK(plan->slots_ahead == V{k(2, 3), k(5, 3), k(7, 3)});
    CHECK(plan->watch.size() == 3);
    there = {k(5, 3), k(7, 3)}; // one of them gone: granted
    plan = slots_plan_after_grant(k(9, 3), k(7, 3), V{k(2, 3), k(5, 3)}, 1, present);
    REQUIRE(plan.has_value());
    CHECK(plan->granted);
    CHECK(plan->slots_ahead == V{k(5, 3), k(7, 3)});
    there = {};
    CHECK(slots_plan_after_grant(k(9, 3), k(7, 3), V{}, 0, present)->granted);
    there = {k(7, 3), k(8, 3, Priority::cut)};
    CHECK(slots_plan_after_grant(k(9, 3), k(7, 3), V{k(8, 3, Priority::cut)}, 8, present)
              .has_value());
    know_5 = std::nullopt;
    CHECK_FALSE(
        slots_plan_after_grant(k(9, 3), k(7, 3), V{k(5, 3)}, 0, present)); // presence unknown
    CHECK_FALSE(
        slots_plan_after_grant(k(9, 3), k(7, 3), V{}, 10, present)); // a cut entry joined after me
    CHECK_FALSE(
        slots_plan_after_grant(k(9, 3), k(7, 3), V{}, std::nullopt, present)); // unknown cut mark
    CHECK_FALSE(slots_plan_after_grant(k(9, 3, Priority::cut), k(7, 3), V{}, 0, present));
    CHECK_FALSE(slots_plan_after_grant(k(9, 3), k(7, 3), V{k(1, 3), k(2, 3), k(4, 3)}, 0,
                                       present));                                  // N names
    CHECK_FALSE(slots_plan_after_grant(k(9, 3), k(7, 3), V{k(8, 3)}, 0, present)); // not before it
    CHECK_FALSE(slots_plan_after_grant(k(9, 3), k(7, 3), V{k(2, 4)}, 0, present)); // another N
    CHECK_FALSE(slots_plan_after_grant(k(9, 3), k(7, 4), V{}, 0, present));
    CHECK_FALSE(slots_plan_after_grant(k(9, 3), k(10, 3), V{}, 0, present)); // not ahead of me
    CHECK_FALSE(slots_plan_after_grant(x(9), x(7), V{}, 0, present));
}

// The reasoning behind slots_plan_after_grant, checked against plan_wait on
// random histories: the plan on the predecessor's record (entries still
// present) is exactly a full look's.
TEST_CASE("slots_plan_after_grant plans as a full look would") {
    SlotsHistory h(4242);
    auto next = [&h](std::uint64_t n) { return h.next(n); };
    int shortcuts = 0, first_waiter = 0, caught = 0;
    for (int round = 0; round < 20000; ++round) {
        h.start();
        const auto n_slots = h.n_slots;
        auto& entries = h.entries;
        const auto& newest_cut = h.newest_cut;
        auto join = [&h] { h.join(); };
        auto erase = [&h](const EntryName& e) { h.erase(e); };
        auto n = n_slots + 1 + next(6);
        for (std::uint64_t i = 0; i < n; ++i)
            join();
        // Me: a normal entry joining now, a later waiter.
        auto me = h.join_normal();
        auto plan = plan_wait(entries, me);
        if (plan.watch.size() != 1 || plan.watch.front().kind != coordctl::WatchKind::grant) continue;
        auto predecessor = plan.watch.front().entry;
        // Joins anywhere and departures of others, each followed by the
        // predecessor's look, until it is granted; it records what is ahead.
        auto others = [&](bool predecessor_too) {
            std::vector<EntryName> out;
            for (const auto& e : entries)
                if (!(e == me) && (predecessor_too || !(e == predecessor))) out.push_back(e);
            return out;
        };
        auto step = [&](bool predecessor_too) {
            auto rest = others(predecessor_too);
            if (next(3) == 0 || rest.empty())
                join();
            else
                erase(rest[next(rest.size())]);
        };
        for (int steps = 0; steps < 20 && !plan_wait(entries, predecessor).granted; ++steps)
            step(false);
        auto at_grant = plan_wait(entries, predecessor);
        if (!at_grant.granted) continue;
        // Until my look: anything but me may join or leave, the predecessor too.
        for (auto steps = next(4); steps > 0; --steps)
            step(true);
        auto full = plan_wait(entries, me);
        auto on_record = [&](std::optional<std::uint64_t> cut) {
            return coordctl::slots_plan_after_grant(me, predecessor, at_grant.slots_ahead, cut,
                                                    [&](const EntryName& e) -> std::optional<bool> {
                                                        return std::binary_search(entries.begin(),
                                                                                  entries.end(), e);
                                                    });
        };
        auto same = [&full](const coordctl::WaitPlan& p) {
            return p.granted == full.granted && p.watch == full.watch && p.slots_ahead == full.slots_ahead &&
                   p.ahead == full.ahead;
        };
        auto decided = on_record(newest_cut);
        if (!decided) {
            // Refused; count the cases where only the cut line stood between the rule and a wrong plan.
            auto unchecked = on_record(0);
            caught += unchecked && !same(*unchecked);
            continue;
        }
        ++shortcuts;
        first_waiter += !decided->granted;
        CAPTURE(me.str());
        CAPTURE(predecessor.str());
        CHECK(same(*decided));
    }
    // Seen: 14482 decided on the record, 6866 of them as the first waiter, 1094 caught.
    CHECK(shortcuts > 10000);   // the property was exercised,
    CHECK(first_waiter > 3000); // both ways,
    CHECK(caught > 500);        // and the cut line was needed in some histories
}

// Why the waiter must have tested its predecessor's mark held after its
// look (waiter.cpp) before it trusts the record: a predecessor granted
// before the waiter joined recorded a list that misses the entries that
// cut in line since, and those joined before the waiter, so the cut line
// does not refuse them. In such histories the rule alone would be wrong.
TEST_CASE("slots_plan_after_grant needs a grant from after the waiter's look") {
    SlotsHistory h(777);
    int wrong = 0;
    for (int round = 0; round < 20000; ++round) {
        h.start();
        for (auto n = h.next(6); n > 0; --n)
            h.join();
        auto predecessor = h.join_normal();
        auto at_grant = plan_wait(h.entries, predecessor);
        if (!at_grant.granted) continue;
        for (auto n = 1 + h.next(6); n > 0; --n)
            h.join(); // some cut in line, ahead of the predecessor
        auto me = h.join_normal();
        auto full = plan_wait(h.entries, me);
        if (full.watch.size() != 1 || !(full.watch.front().entry == predecessor)) continue;
        auto on_record = coordctl::slots_plan_after_grant(
            me, predecessor, at_grant.slots_ahead, h.newest_cut,
            [&](const EntryName& e) -> std::optional<bool> {
                return std::binary_search(h.entries.begin(), h.entries.end(), e);
            });
        wrong += on_record && on_record->ahead < full.ahead;
    }
    CHECK(wrong > 20); // seen: 76 histories where it would count too few ahead
}
