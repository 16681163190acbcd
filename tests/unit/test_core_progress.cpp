#include "core/progress.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

using coordctl::describe_owner;
using coordctl::Duration;
using coordctl::format_wait_status;
using coordctl::Record;
using coordctl::WaitStatus;

namespace {

Record owner(std::string label, std::vector<std::string> command) {
    Record r;
    r.token = 7;
    r.mode = "exclusive";
    r.pid = 1234;
    r.host = "build-01";
    r.label = std::move(label);
    r.command = std::move(command);
    return r;
}

} // namespace

TEST_CASE("describe_owner: pid@host, label, command") {
    CHECK(describe_owner(owner("", {"sleep", "5"})) == "1234@build-01 (sleep 5)");
    CHECK(describe_owner(owner("nightly", {"make", "-j8", "all"})) ==
          "1234@build-01 [nightly] (make -j8 all)");
    CHECK(describe_owner(owner("x", {"true"})) == "1234@build-01 [x] (true)");
}

TEST_CASE("describe_owner: one line whatever the label and command hold") {
    auto r = owner("a\x1b[2Jb\nc", {"sh", "-c", "x\ny"});
    r.host = "h\x07";
    CHECK(describe_owner(r) == "1234@h\\x07 [a\\x1b[2Jb\\nc] (sh -c x\\ny)");
}

TEST_CASE("describe_owner: without a readable record") {
    CHECK(describe_owner(std::nullopt) == "an unknown owner");
}

TEST_CASE("format_wait_status: the waiting line") {
    WaitStatus status;
    status.position = 3;
    status.ahead = 2;
    status.holder = "1234@build-01 (sleep 5)";
    status.holder_age = Duration(12'000);
    CHECK(format_wait_status("/tmp/q", status) ==
          "waiting for /tmp/q: position 3 (2 ahead), held by 1234@build-01 (sleep 5) for 12s");

    status.position = 2;
    status.ahead = 1;
    status.holder = describe_owner(std::nullopt);
    status.holder_age = Duration(185'000);
    CHECK(format_wait_status("queue", status) ==
          "waiting for queue: position 2 (1 ahead), held by an unknown owner for 3m05s");

    status.holder_age = Duration(450);
    status.holder = describe_owner(owner("db", {"pg_dump", "main"}));
    CHECK(format_wait_status("/var/lock/db", status) ==
          "waiting for /var/lock/db: position 2 (1 ahead), held by 1234@build-01 [db] "
          "(pg_dump main) for 450ms");
}

TEST_CASE("the lines of waits without a queue position: dbarrier and barrier wait") {
    using coordctl::format_barrier_status;
    using coordctl::format_drain_status;
    using coordctl::format_fill_status;
    CHECK(format_fill_status("/run/phase2", 2, 3, std::chrono::seconds(12)) ==
          "waiting for /run/phase2: 2 of 3 participants have entered (12s)");
    // More wait files than N (a round being sealed, or a dead entry not yet
    // removed): never "4 of 3".
    CHECK(format_fill_status("d", 4, 3, Duration(0)) ==
          "waiting for d: 3 of 3 participants have entered (0ms)");
    CHECK(format_drain_status("d", 1, 3, std::chrono::minutes(2)) ==
          "waiting for d: 1 of 3 members not done yet (2m00s)");
    CHECK(format_barrier_status("/run/gate", "by 1234@build-01 5s ago") ==
          "waiting for barrier /run/gate to be lifted, set by 1234@build-01 5s ago");
    CHECK(format_barrier_status("/run/gate", "") == "waiting for barrier /run/gate to be lifted");
}

TEST_CASE("fit_to_width: a progress line never reaches the terminal's last column") {
    using coordctl::fit_to_width;
    CHECK(fit_to_width("waiting for d", 80) == "waiting for d");
    CHECK(fit_to_width("0123456789", 11) == "0123456789"); // 10 of 11 columns
    CHECK(fit_to_width("0123456789", 10) == "012345...");  // 9 of 10
    CHECK(fit_to_width("0123456789", 0) == "0123456789");  // width unknown
    CHECK(fit_to_width("0123456789", 3) == "01");
    CHECK(fit_to_width("0123456789", 1) == "");
    // A character of several bytes is one column, and is never cut in two.
    CHECK(fit_to_width("d\xc3\xa9j\xc3\xa0 vu", 8) == "d\xc3\xa9j\xc3\xa0 vu");
    CHECK(fit_to_width("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 6) ==
          "\xc3\xa9\xc3\xa9...");
    // Wide characters take two columns, and are never half shown.
    const char* kanji = "\xe6\xbc\xa2"; // U+6F22, 2 columns
    std::string six = std::string(kanji) + kanji + kanji;
    CHECK(fit_to_width(six, 7) == six);
    CHECK(fit_to_width(six + "x", 8) == six + "x");
    CHECK(fit_to_width(six + "x", 7) == std::string(kanji) + "...");
    CHECK(fit_to_width(six, 5) == "...");
    CHECK(fit_to_width("\xf0\x9f\x94\x92 lock", 8) == "\xf0\x9f\x94\x92 lock"); // U+1F512
    CHECK(fit_to_width("\xf0\x9f\x94\x92 lock", 7) == "\xf0\x9f\x94\x92 ...");
    // U+2764 U+FE0F (a red heart, emoji presentation): two columns on most
    // terminals, never counted less.
    CHECK(fit_to_width("\xe2\x9d\xa4\xef\xb8\x8f ok", 6) == "\xe2\x9d\xa4\xef\xb8\x8f ok");
    CHECK(fit_to_width("\xe2\x9d\xa4\xef\xb8\x8f ok", 5) == "...");
    CHECK(fit_to_width("a\xe2\x9d\xa4\xef\xb8\x8f ok", 6) == "a..."); // not cut after U+2764
    CHECK(fit_to_width("a\xe2\x9d\xa4\xef\xb8\x8f okay", 8) == "a\xe2\x9d\xa4\xef\xb8\x8f ...");
    // After a character already two columns wide, U+FE0F adds nothing.
    CHECK(fit_to_width("\xf0\x9f\x94\x92\xef\xb8\x8f ok", 6) == "\xf0\x9f\x94\x92\xef\xb8\x8f ok");
    // A combining mark adds nothing; a stray byte is one column.
    CHECK(fit_to_width("e\xcc\x81"
                       "e\xcc\x81"
                       "e\xcc\x81",
                       4) == "e\xcc\x81"
                             "e\xcc\x81"
                             "e\xcc\x81");
    CHECK(fit_to_width("\xff\xfe\xfd\xfc", 5) == "\xff\xfe\xfd\xfc");
    CHECK(fit_to_width("\xff\xfe\xfd\xfc", 4) == "...");
    CHECK(fit_to_width("\xff\xfe\xfd\xfc\xfb", 5) == "\xff...");
    // Well-shaped but invalid sequences (a surrogate, an overlong form,
    // beyond U+10FFFF) are shown byte by byte: one column each.
    CHECK(fit_to_width("\xed\xa0\x80"
                       "ab",
                       6) == "\xed\xa0\x80"
                             "ab");
    CHECK(fit_to_width("\xed\xa0\x80"
                       "ab",
                       5) == "\xed...");
    CHECK(fit_to_width("\xc0\x80"
                       "abc",
                       5) == "\xc0...");
    CHECK(fit_to_width("\xf4\x90\x80\x80", 5) == "\xf4\x90\x80\x80");
    CHECK(fit_to_width("\xf4\x90\x80\x80"
                       "a",
                       5) == "\xf4...");
    // A lone wide emoji of the 2xxx blocks (U+2B50 star).
    CHECK(fit_to_width("\xe2\xad\x90"
                       "abc",
                       6) == "\xe2\xad\x90"
                             "abc");
    CHECK(fit_to_width("\xe2\xad\x90"
                       "abcd",
                       6) == "\xe2\xad\x90"
                             "...");
}
