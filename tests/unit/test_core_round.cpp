#include "core/round.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using coordctl::decide_enter;
using coordctl::EnterStep;
using coordctl::EntryName;
using coordctl::format_round;
using coordctl::judge_marker;
using coordctl::MarkerState;
using coordctl::members_present;
using coordctl::Mode;
using coordctl::parse_round;
using coordctl::participant_id;
using coordctl::participants_list;
using coordctl::Priority;
using coordctl::Record;
using coordctl::Round;
using coordctl::valid_participant_id;

namespace {

EntryName e(std::uint64_t token) {
    return {Priority::normal, token, Mode::shared};
}

std::vector<EntryName> entries(std::initializer_list<std::uint64_t> tokens) {
    std::vector<EntryName> out;
    for (auto t : tokens)
        out.push_back(e(t));
    return out;
}

Round round_of(std::initializer_list<std::uint64_t> tokens) {
    Round round;
    for (auto t : tokens)
        round.members.push_back({t, std::string("p").append(std::to_string(t))}); // GCC 12 -O3 -Wrestrict false positive on "p" + ...
    return round;
}

std::vector<std::uint64_t> tokens_of(const std::vector<EntryName>& names) {
    std::vector<std::uint64_t> out;
    for (const auto& n : names)
        out.push_back(n.token);
    return out;
}

} // namespace

TEST_CASE("decide_enter: fewer than N wait, the N-th seals with the first N") {
    CHECK(decide_enter(e(1), 3, entries({1})).step == EnterStep::wait);
    CHECK(decide_enter(e(2), 3, entries({1, 2})).step == EnterStep::wait);
    auto third = decide_enter(e(3), 3, entries({1, 2, 3}));
    CHECK(third.step == EnterStep::seal);
    CHECK(tokens_of(third.members) == std::vector<std::uint64_t>{1, 2, 3});
    auto alone = decide_enter(e(7), 1, entries({7}));
    CHECK(alone.step == EnterStep::seal);
    CHECK(tokens_of(alone.members) == std::vector<std::uint64_t>{7});
}

TEST_CASE("decide_enter: the (N+1)-th is refused, whoever decides first") {
    // Four joined before any of them sealed: the first three are the round.
    CHECK(decide_enter(e(4), 3, entries({1, 2, 3, 4})).step == EnterStep::round_full);
    auto second = decide_enter(e(2), 3, entries({1, 2, 3, 4}));
    CHECK(second.step == EnterStep::seal);
    CHECK(tokens_of(second.members) == std::vector<std::uint64_t>{1, 2, 3});
}

TEST_CASE("decide_enter: gaps left by the dead or departed do not matter") {
    auto d = decide_enter(e(9), 2, entries({4, 9}));
    CHECK(d.step == EnterStep::seal);
    CHECK(tokens_of(d.members) == std::vector<std::uint64_t>{4, 9});
}

TEST_CASE("decide_enter: my own entry missing is lost") {
    CHECK(decide_enter(e(5), 2, entries({1, 2})).step == EnterStep::lost);
    CHECK(decide_enter(e(5), 2, {}).step == EnterStep::lost);
}

TEST_CASE("judge_marker: running while a member lives, over after") {
    CHECK(judge_marker(std::nullopt, false) == MarkerState::none);
    CHECK(judge_marker(round_of({1, 2}), true) == MarkerState::running);
    CHECK(judge_marker(round_of({1, 2}), false) == MarkerState::over);
}

TEST_CASE("members_present: the entries of the round's members, in order") {
    auto round = round_of({3, 5, 8});
    CHECK(tokens_of(members_present(entries({1, 3, 4, 8, 9}), round)) ==
          std::vector<std::uint64_t>{3, 8});
    CHECK(members_present(entries({1, 2, 9}), round).empty());
    CHECK(round.has(5));
    CHECK_FALSE(round.has(4));
    CHECK_FALSE(round.has(9));
}

TEST_CASE("rounds round-trip through the marker's JSON") {
    auto round = round_of({1, 2, 30});
    auto text = format_round(round);
    CHECK(text.back() == '\n');
    REQUIRE(parse_round(text));
    CHECK(*parse_round(text) == round);
    CHECK(participants_list(round) == "p1 p2 p30");
}

TEST_CASE("parse_round rejects anything not well-formed") {
    for (const char* bad : {
             "",
             "garbage",
             "[]",
             R"({"version":1})",
             R"({"version":1,"members":[]})",
             R"({"version":2,"members":[{"token":1,"id":"a"}]})",
             R"({"version":1,"members":[{"token":2,"id":"a"},{"token":1,"id":"b"}]})",
             R"({"version":1,"members":[{"token":1,"id":"a"},{"token":1,"id":"b"}]})",
             R"({"version":1,"members":[{"token":0,"id":"a"}]})",
             R"({"version":1,"members":[{"token":1,"id":"a b"}]})",
             R"({"version":1,"members":[{"token":1,"id":""}]})",
             R"({"version":1,"members":[{"token":-1,"id":"a"}]})",
             R"({"version":1,"members":[{"id":"a"}]})",
             R"({"version":1,"members":[7]})",
         }) {
        CAPTURE(bad);
        CHECK_FALSE(parse_round(bad));
    }
}

TEST_CASE("participant ids: one word; --id, else pid@host, else the token") {
    CHECK(valid_participant_id("shard-1"));
    CHECK(valid_participant_id("1234@host.example"));
    CHECK(valid_participant_id("\xc3\xa9t\xc3\xa9"));
    for (const char* bad : {"", "a b", "a\tb", "a\nb", "\x7f"}) {
        CAPTURE(bad);
        CHECK_FALSE(valid_participant_id(bad));
    }
    Record r;
    r.pid = 42;
    r.host = "h1";
    CHECK(participant_id(r, 9) == "42@h1");
    r.label = "mine";
    CHECK(participant_id(r, 9) == "mine");
    r.label = "";
    r.host = "bad host";
    CHECK(participant_id(r, 9) == "9");
    CHECK(participant_id(std::nullopt, 9) == "9");
}
