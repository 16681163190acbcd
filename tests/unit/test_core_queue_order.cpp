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
    return plan.blocker ? plan.blocker->str() : "none";
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
        CHECK(head_of(plan) == me.str());
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
        CHECK(head_of(plan) == s(1).str());
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
    CHECK(head_of(cutter) == cut_x(10).str());

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
        CHECK(head_of(plan) == cut_s(7).str());
    }
}
