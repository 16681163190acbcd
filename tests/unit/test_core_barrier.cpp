#include "core/barrier.hpp"

#include <doctest/doctest.h>

#include <string>

using coordctl::barrier_lifted;
using coordctl::BarrierRecord;
using coordctl::BarrierSight;
using coordctl::describe_setter;
using coordctl::format_barrier_record;
using coordctl::parse_barrier_record;
using coordctl::split_barrier_path;

namespace {

BarrierRecord sample() {
    BarrierRecord r;
    r.pid = 4321;
    r.host = "ci-7";
    r.created_ms = 1'700'000'000'000;
    return r;
}

BarrierSight file(std::uint64_t ino, std::string content) {
    BarrierSight s;
    s.present = true;
    s.regular = true;
    s.dev = 8;
    s.ino = ino;
    s.content = std::move(content);
    return s;
}

// "dir|name", or "none", so that a failure shows both parts.
std::string split(const std::string& path) {
    auto where = split_barrier_path(path);
    return where ? where->dir + "|" + where->name : "none";
}

} // namespace

TEST_CASE("split_barrier_path: the directory and the file name") {
    CHECK(split("gate") == ".|gate");
    CHECK(split("./gate") == ".|gate");
    CHECK(split("/gate") == "/|gate");
    CHECK(split("/run/ci/gate") == "/run/ci|gate");
    CHECK(split("a//b") == "a|b");
    CHECK(split("//b") == "/|b");
    CHECK(split("../b") == "..|b");
    CHECK(split_barrier_path("x/gate")->path == "x/gate");
}

TEST_CASE("split_barrier_path: PATH must name a file") {
    for (const char* bad : {"", "/", "dir/", "dir//", ".", "..", "dir/.", "dir/.."}) {
        CAPTURE(bad);
        CHECK(split(bad) == "none");
    }
}

TEST_CASE("barrier records round-trip and reject garbage") {
    auto text = format_barrier_record(sample());
    REQUIRE(parse_barrier_record(text));
    CHECK(*parse_barrier_record(text) == sample());
    CHECK(text.back() == '\n');
    for (const char* bad :
         {"", "not json", "[]", "{}", R"({"version":2,"pid":1,"host":"h","created_ms":0})",
          R"({"version":1,"pid":0,"host":"h","created_ms":0})",
          R"({"version":1,"pid":-5,"host":"h","created_ms":0})",
          R"({"version":1,"pid":1,"host":7,"created_ms":0})",
          R"({"version":1,"pid":1,"created_ms":0})"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_barrier_record(bad));
    }
    CHECK_FALSE(parse_barrier_record(std::string(BarrierRecord::max_size + 1, ' ')));
}

TEST_CASE("describe_setter names the setter and the age, or nothing") {
    CHECK(describe_setter(sample(), sample().created_ms + 5'000) == "by 4321@ci-7 5s ago");
    CHECK(describe_setter(sample(), sample().created_ms - 10) == "by 4321@ci-7 0ms ago");
    CHECK(describe_setter(std::nullopt, 0) == "");
}

TEST_CASE("barrier_lifted: gone, or another file, is lifted") {
    auto found = file(100, format_barrier_record(sample()));
    CHECK_FALSE(barrier_lifted(found, found));
    CHECK(barrier_lifted(found, BarrierSight{}));
    CHECK(barrier_lifted(found, file(101, found.content)));
    auto dir = found;
    dir.regular = false;
    CHECK(barrier_lifted(found, dir));
}

TEST_CASE("barrier_lifted: a file made by other means, made again on a reused inode, is told apart "
          "by its birth time") {
    auto found = file(100, "");
    found.born_ns = 1000;
    auto again = found;
    again.born_ns = 2000;
    CHECK(barrier_lifted(found, again));
    CHECK_FALSE(barrier_lifted(found, found)); // touched, written to: the same file
    auto unknown = found;
    unknown.born_ns = 0; // a look where the filesystem did not say
    CHECK_FALSE(barrier_lifted(found, unknown));
    CHECK_FALSE(barrier_lifted(unknown, found));
}

TEST_CASE("barrier_lifted: unset and set again on a reused inode is told apart by the record") {
    auto first = sample();
    auto second = sample();
    second.created_ms += 1;
    auto found = file(100, format_barrier_record(first));
    CHECK(barrier_lifted(found, file(100, format_barrier_record(second))));
}

TEST_CASE("barrier_lifted: a file set by other means is judged by its file alone") {
    // `echo x > PATH` creates the file empty, then writes: not a new barrier.
    CHECK_FALSE(barrier_lifted(file(100, ""), file(100, "x\n")));
    CHECK_FALSE(barrier_lifted(file(100, "x\n"), file(100, "xy\n")));
    CHECK(barrier_lifted(file(100, ""), file(200, "")));
}
