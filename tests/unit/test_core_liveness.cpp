#include "core/liveness.hpp"

#include <doctest/doctest.h>

using coordctl::Duration;
using coordctl::judge_owner;
using coordctl::Liveness;
using coordctl::OwnerFacts;
using coordctl::Verdict;

namespace {

OwnerFacts facts(bool lock_held, bool same_host, long long age_ms, long long ttl_ms) {
    OwnerFacts f;
    f.lock_held = lock_held;
    f.same_host = same_host;
    f.heartbeat_age = Duration(age_ms);
    f.ttl = Duration(ttl_ms);
    return f;
}

} // namespace

TEST_CASE("judge_owner: a held lock means alive, whatever else is known") {
    for (bool same_host : {true, false}) {
        for (long long age : {0LL, 10'000LL, 3'600'000LL}) {
            CAPTURE(same_host);
            CAPTURE(age);
            Verdict v = judge_owner(facts(true, same_host, age, 30'000));
            CHECK(v.liveness == Liveness::alive_locked);
            CHECK(v.recheck_in == Duration(0));
            CHECK(v.reason.empty());
        }
    }
}

TEST_CASE("judge_owner: same host and a free lock means the owner is gone") {
    // Without waiting for any TTL, even with a fresh heartbeat.
    for (long long age : {0LL, 1LL, 29'999LL, 30'000LL, 3'600'000LL}) {
        CAPTURE(age);
        Verdict v = judge_owner(facts(false, true, age, 30'000));
        CHECK(v.liveness == Liveness::stale);
        CHECK(v.recheck_in == Duration(0));
        CHECK(v.reason == "its process is gone");
        CHECK(v.proven);
    }
}

TEST_CASE("judge_owner: other host with a fresh heartbeat holds a lease") {
    Verdict v = judge_owner(facts(false, false, 10'000, 30'000));
    CHECK(v.liveness == Liveness::alive_lease);
    CHECK(v.recheck_in == Duration(20'000));
    CHECK(v.reason.empty());

    v = judge_owner(facts(false, false, 0, 30'000));
    CHECK(v.liveness == Liveness::alive_lease);
    CHECK(v.recheck_in == Duration(30'000));

    v = judge_owner(facts(false, false, 29'999, 30'000));
    CHECK(v.liveness == Liveness::alive_lease);
    CHECK(v.recheck_in == Duration(1));

    // An mtime in the future (clock skew): the lease runs until mtime + ttl.
    v = judge_owner(facts(false, false, -5'000, 30'000));
    CHECK(v.liveness == Liveness::alive_lease);
    CHECK(v.recheck_in == Duration(35'000));
}

TEST_CASE("judge_owner: other host without a heartbeat for a full TTL is stale") {
    Verdict v = judge_owner(facts(false, false, 30'000, 30'000));
    CHECK(v.liveness == Liveness::stale);
    CHECK(v.recheck_in == Duration(0));
    CHECK(v.reason == "no heartbeat for 30s (ttl 30s)");
    CHECK_FALSE(v.proven); // its owner may run still: only removing the entry tells it

    v = judge_owner(facts(false, false, 45'000, 30'000));
    CHECK(v.liveness == Liveness::stale);
    CHECK(v.reason == "no heartbeat for 45s (ttl 30s)");

    v = judge_owner(facts(false, false, 125'000, 60'000));
    CHECK(v.liveness == Liveness::stale);
    CHECK(v.reason == "no heartbeat for 2m05s (ttl 1m00s)");

    v = judge_owner(facts(false, false, 7'200'000, 500));
    CHECK(v.liveness == Liveness::stale);
    CHECK(v.reason == "no heartbeat for 2h00m (ttl 500ms)");
}

TEST_CASE("judge_owner: default facts") {
    // Nothing known (zero TTL, other host, no lock): nothing keeps the entry alive.
    Verdict v = judge_owner(OwnerFacts{});
    CHECK(v.liveness == Liveness::stale);
    CHECK(v.reason == "no heartbeat for 0ms (ttl 0ms)");
}

TEST_CASE("a --hold entry on this host lives as long as its owner process") {
    coordctl::OwnerFacts facts;
    facts.same_host = true;
    facts.hold_entry = true;
    facts.owner_alive = true;
    CHECK(coordctl::judge_owner(facts).liveness == coordctl::Liveness::alive_owner);
    facts.owner_alive = false;
    auto verdict = coordctl::judge_owner(facts);
    CHECK(verdict.liveness == coordctl::Liveness::stale);
    CHECK(verdict.reason == "its owner process is gone");
    CHECK(verdict.proven);
    facts.lock_held = true; // its coordctl is still waiting for it
    CHECK(coordctl::judge_owner(facts).liveness == coordctl::Liveness::alive_locked);
}

TEST_CASE("a --hold entry from another host is a lease like any other") {
    coordctl::OwnerFacts facts;
    facts.hold_entry = true;
    facts.ttl = std::chrono::seconds(30);
    facts.heartbeat_age = std::chrono::seconds(31);
    CHECK(coordctl::judge_owner(facts).liveness == coordctl::Liveness::stale);
    facts.heartbeat_age = std::chrono::seconds(3);
    CHECK(coordctl::judge_owner(facts).liveness == coordctl::Liveness::alive_lease);
}
