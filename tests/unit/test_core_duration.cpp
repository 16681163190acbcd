#include "core/duration.hpp"

#include <doctest/doctest.h>

#include <fmt/format.h>

#include <string>

using coordctl::Duration;
using coordctl::format_duration;
using coordctl::parse_duration;

namespace {

// Milliseconds of a parsed duration, -1 if rejected (so failures print both values).
long long ms_of(const std::string& text) {
    auto d = parse_duration(text);
    return d ? d->count() : -1;
}

constexpr long long second = 1000;
constexpr long long minute = 60 * second;
constexpr long long hour = 60 * minute;
// The longest accepted duration: ten years of 366 days.
constexpr long long ten_years = 10LL * 366 * 24 * hour;

} // namespace

TEST_CASE("parse_duration: each unit") {
    CHECK(ms_of("500ms") == 500);
    CHECK(ms_of("1ms") == 1);
    CHECK(ms_of("0ms") == 0);
    CHECK(ms_of("30s") == 30 * second);
    CHECK(ms_of("2m") == 2 * minute);
    CHECK(ms_of("1h") == hour);
    CHECK(ms_of("24h") == 24 * hour);
}

TEST_CASE("parse_duration: compound durations add up") {
    CHECK(ms_of("1h30m") == hour + 30 * minute);
    CHECK(ms_of("2m30s") == 2 * minute + 30 * second);
    CHECK(ms_of("1h30m15s") == hour + 30 * minute + 15 * second);
    CHECK(ms_of("1s500ms") == 1500);
    // "m" followed by "s" is minutes then seconds, "ms" alone is milliseconds.
    CHECK(ms_of("1m5s") == minute + 5 * second);
    CHECK(ms_of("1m5ms") == minute + 5);
}

TEST_CASE("parse_duration: a bare number is seconds, fractions allowed") {
    CHECK(ms_of("0") == 0);
    CHECK(ms_of("1") == second);
    CHECK(ms_of("10") == 10 * second);
    CHECK(ms_of("1.5") == 1500);
    CHECK(ms_of("0.25") == 250);
    CHECK(ms_of("0.000") == 0);
    CHECK(ms_of("007") == 7 * second);
    // As strtod in flock(1): either side of the point may be empty.
    CHECK(ms_of("1.") == second);
    CHECK(ms_of(".5") == 500);
}

TEST_CASE("parse_duration: fractions with units") {
    CHECK(ms_of("0.5s") == 500);
    CHECK(ms_of("1.5h") == hour + 30 * minute);
    CHECK(ms_of("0.2m") == 12 * second);
    CHECK(ms_of("0.001m") == 60);
    CHECK(ms_of("2.5m30s") == 3 * minute);
}

TEST_CASE("parse_duration: decimal fractions are exact to the millisecond") {
    CHECK(ms_of("1.001") == 1001);
    CHECK(ms_of("0.035") == 35);
    CHECK(ms_of("4.35s") == 4350);
    CHECK(ms_of("9.995") == 9995);
    // Every millisecond from 0 to 20 seconds written as seconds with three decimals.
    int wrong = 0;
    for (long long ms = 0; ms < 20 * second; ++ms) {
        std::string text = fmt::format("{}.{:03}", ms / 1000, ms % 1000);
        if (ms_of(text) != ms && ++wrong <= 5) CHECK(ms_of(text) == ms); // show a few
    }
    CHECK(wrong == 0);
}

TEST_CASE("parse_duration: rounded to the nearest millisecond") {
    CHECK(ms_of("1.4ms") == 1);
    CHECK(ms_of("1.6ms") == 2);
    CHECK(ms_of("0.0014") == 1);
    CHECK(ms_of("0.0016") == 2);
    CHECK(ms_of("2.9999") == 3000);
}

TEST_CASE("parse_duration: a positive fraction never rounds down to zero") {
    CHECK(ms_of("0.0001") == 1);
    CHECK(ms_of("0.0004") == 1);
    CHECK(ms_of("0.1ms") == 1);
    CHECK(ms_of("0." + std::string(300, '0') + "1") == 1);
}

TEST_CASE("parse_duration: at most ten years") {
    CHECK(ms_of("87840h") == ten_years);
    CHECK(ms_of("316224000") == ten_years); // in seconds
    CHECK(ms_of("87841h") == -1);
    CHECK(ms_of("316224001") == -1);
    CHECK(ms_of("87840h1ms") == -1);
    CHECK(ms_of("99999999999999999999999") == -1);
    CHECK(ms_of("99999999999999999999999ms") == -1);
    CHECK(ms_of(std::string(400, '9')) == -1); // beyond double's range
    CHECK(ms_of(std::string(400, '9') + "h") == -1);
}

TEST_CASE("parse_duration: garbage is rejected") {
    const char* garbage[] = {
        "",     "abc",  "-1", "1x",    "ms",  "1h30",   "1.2.3", " 5",   "5 ",    "+5",  "-1s",
        "1 s",  "1e3",  ".",  "s",     "h",   "1h 30m", "1hms",  "5s\n", "0x10",  "1,5", "1S",
        "1sec", "1min", "1d", "1.5.s", "..5", "1h-30m", "nan",   "inf",  "1h30.", "m1",  "\t1s"};
    for (const char* text : garbage) {
        CAPTURE(std::string(text));
        CHECK_FALSE(parse_duration(text).has_value());
    }
    // An embedded NUL is not the end of the text.
    CHECK_FALSE(parse_duration(std::string("1s\0", 3)).has_value());
    CHECK_FALSE(parse_duration(std::string("\0"
                                           "1s",
                                           3))
                    .has_value());
}

TEST_CASE("format_duration: short human form") {
    CHECK(format_duration(Duration(0)) == "0ms");
    CHECK(format_duration(Duration(1)) == "1ms");
    CHECK(format_duration(Duration(450)) == "450ms");
    CHECK(format_duration(Duration(999)) == "999ms");
    CHECK(format_duration(Duration(1000)) == "1s");
    CHECK(format_duration(Duration(12'000)) == "12s");
    CHECK(format_duration(Duration(12'999)) == "12s");
    CHECK(format_duration(Duration(59'999)) == "59s");
    CHECK(format_duration(Duration(60'000)) == "1m00s");
    CHECK(format_duration(Duration(185'000)) == "3m05s");
    CHECK(format_duration(Duration(hour - 1)) == "59m59s");
    CHECK(format_duration(Duration(hour)) == "1h00m");
    CHECK(format_duration(Duration(2 * hour + minute)) == "2h01m");
    CHECK(format_duration(Duration(2 * hour + minute + 59 * second)) == "2h01m");
    CHECK(format_duration(Duration(25 * hour)) == "25h00m");
    CHECK(format_duration(Duration(ten_years)) == "87840h00m");
}

TEST_CASE("format_duration: negative durations show as zero") {
    CHECK(format_duration(Duration(-1)) == "0ms");
    CHECK(format_duration(Duration(-5 * hour)) == "0ms");
}

TEST_CASE("format_duration: output parses back to the same value when whole") {
    for (long long ms :
         {0LL, 7LL, 999LL, 1000LL, 42 * second, minute, 185 * second, 59 * minute + 59 * second}) {
        CAPTURE(ms);
        CHECK(ms_of(format_duration(Duration(ms))) == ms);
    }
}
