#include "core/status.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using coordctl::EntryName;
using coordctl::Liveness;
using coordctl::Priority;
using coordctl::status_rows;
using coordctl::StatusFacts;

namespace {

StatusFacts entry(Priority priority, std::uint64_t token, bool waiting,
                  Liveness liveness = Liveness::alive_locked) {
    StatusFacts f;
    f.entry.priority = priority;
    f.entry.token = token;
    f.waiting = waiting;
    f.verdict.liveness = liveness;
    f.record = coordctl::Record{};
    return f;
}

std::string order(const std::vector<coordctl::StatusRow>& rows) {
    std::string text;
    for (const auto& r : rows)
        text += std::to_string(r.position) + ":" + std::to_string(r.token) + r.state[0] + " ";
    return text;
}

} // namespace

TEST_CASE("status_rows: queue order, positions from 1") {
    auto rows = status_rows({entry(Priority::normal, 1, false), entry(Priority::normal, 2, true),
                             entry(Priority::normal, 3, true)});
    CHECK(order(rows) == "1:1h 2:2w 3:3w ");
}

TEST_CASE("status_rows: a holder comes before the waiters that cut in line (sorted before it)") {
    // Queue order (names): the cut entries 4 and 5, then the holder 1, then 2.
    auto rows = status_rows({entry(Priority::cut, 4, true), entry(Priority::cut, 5, true),
                             entry(Priority::normal, 1, false), entry(Priority::normal, 2, true)});
    CHECK(order(rows) == "1:1h 2:4w 3:5w 4:2w ");
}

TEST_CASE("status_rows: shared holders together first; a stale entry keeps its queue place among "
          "the others") {
    auto shared = [](StatusFacts f) {
        f.entry.mode = coordctl::Mode::shared;
        return f;
    };
    auto rows =
        status_rows({entry(Priority::cut, 9, true), shared(entry(Priority::normal, 1, false)),
                     entry(Priority::normal, 2, false, Liveness::stale),
                     shared(entry(Priority::normal, 3, false)), entry(Priority::normal, 4, true)});
    CHECK(order(rows) == "1:1h 2:3h 3:9w 4:2s 5:4w ");
    CHECK(rows[0].mode == "shared");
    CHECK(rows[1].mode == "shared");
}

TEST_CASE("status_rows: a live entry whose record cannot be read is unreadable, not a holder") {
    auto garbage = entry(Priority::normal, 7, false);
    garbage.record.reset();
    auto marked = entry(Priority::normal, 8, true);
    marked.record.reset();
    auto dead = entry(Priority::normal, 9, false, Liveness::stale);
    dead.record.reset();
    auto rows = status_rows({garbage, entry(Priority::normal, 1, false), marked, dead});
    CHECK(order(rows) == "1:1h 2:7u 3:8w 4:9s ");
}
