#include "core/entry_name.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

using coordctl::EntryName;
using coordctl::format_token_file;
using coordctl::Mode;
using coordctl::parse_entry_name;
using coordctl::parse_token;
using coordctl::parse_token_file;
using coordctl::Priority;
using coordctl::temporary_wait_file_created;
using coordctl::temporary_wait_file_name;

namespace {

constexpr std::uint64_t max_token = std::numeric_limits<std::uint64_t>::max();

// The token read from a token file as text, or "rejected" (apart from every valid token).
std::string token_of(const std::string& text) {
    auto token = parse_token(text);
    return token ? std::to_string(*token) : "rejected";
}

} // namespace

TEST_CASE("EntryName::str: priority, 20-digit token, mode") {
    CHECK(EntryName{Priority::normal, 42, Mode::exclusive}.str() == "1-00000000000000000042-x");
    CHECK(EntryName{Priority::cut, 7, Mode::shared}.str() == "0-00000000000000000007-s");
    CHECK(EntryName{Priority::normal, 1, Mode::shared}.str() == "1-00000000000000000001-s");
    CHECK(EntryName{Priority::cut, max_token, Mode::exclusive}.str() == "0-18446744073709551615-x");
    CHECK(EntryName{}.str().size() == 24);
}

TEST_CASE("parse_entry_name: reads every field") {
    auto entry = parse_entry_name("1-00000000000000000042-x");
    REQUIRE(entry.has_value());
    CHECK(entry->priority == Priority::normal);
    CHECK(entry->token == 42);
    CHECK(entry->mode == Mode::exclusive);

    entry = parse_entry_name("0-12345678901234567890-s");
    REQUIRE(entry.has_value());
    CHECK(entry->priority == Priority::cut);
    CHECK(entry->token == 12345678901234567890ULL);
    CHECK(entry->mode == Mode::shared);
}

TEST_CASE("parse_entry_name: round trip through str()") {
    for (auto priority : {Priority::cut, Priority::normal}) {
        for (auto mode : {Mode::exclusive, Mode::shared}) {
            for (std::uint64_t token : {std::uint64_t{1}, std::uint64_t{9}, std::uint64_t{10},
                                        std::uint64_t{1'000'000'007}, max_token - 1, max_token}) {
                EntryName entry{priority, token, mode};
                CAPTURE(entry.str());
                auto parsed = parse_entry_name(entry.str());
                REQUIRE(parsed.has_value());
                CHECK(*parsed == entry);
                CHECK(parsed->str() == entry.str());
            }
        }
    }
}

TEST_CASE("parse_entry_name: foreign names are rejected") {
    const char* foreign[] = {
        "",
        "x",
        ".token",
        ".",
        "..",
        "1-00000000000000000042-x.tmp",
        ".1-00000000000000000042-x", // a hidden temporary copy
        "1-0000000000000000042-x",   // 19 digits
        "1-000000000000000000042-x", // 21 digits
        "1-00000000000000000042-xx", // too long
        "1-00000000000000000042-",   // no mode
        ".-00000000000000000042-x",  // dot name of the right length
        "2-00000000000000000042-x",  // unknown priority
        "a-00000000000000000042-x",
        " -00000000000000000042-x",
        "1-00000000000000000042-X", // modes are lower case
        "1-00000000000000000042-S",
        "1-00000000000000000042-e",
        "1-00000000000000000042-.",
        "1_00000000000000000042-x", // separators
        "1-00000000000000000042_x",
        "100000000000000000042--x",
        "1-0000000000000000004a-x", // non-digits in the token
        "1-+0000000000000000042-x",
        "1--0000000000000000042-x",
        "1- 0000000000000000042-x",
        "1-0000000000000000042 -x",
        "1-0000000000000000004.-x",
        "1-00000000000000000000-x", // token 0 is never handed out
        "0-00000000000000000000-s",
        "1-18446744073709551616-x", // one past the largest token
        "1-99999999999999999999-x", // overflow
    };
    for (const char* name : foreign) {
        CAPTURE(std::string(name));
        CHECK_FALSE(parse_entry_name(name).has_value());
    }
    // A NUL in the middle of an otherwise well-formed name.
    std::string with_nul = "1-00000000000000000042-x";
    with_nul[10] = '\0';
    CHECK_FALSE(parse_entry_name(with_nul).has_value());
}

TEST_CASE("EntryName order: cut priority first, then token") {
    EntryName cut_late{Priority::cut, 100, Mode::exclusive};
    EntryName normal_early{Priority::normal, 1, Mode::exclusive};
    EntryName normal_late{Priority::normal, 2, Mode::shared};
    CHECK(cut_late < normal_early);
    CHECK(normal_early < normal_late);
    CHECK(cut_late < normal_late);
    CHECK_FALSE(normal_early < cut_late);
    CHECK(EntryName{Priority::cut, 1, Mode::shared} < cut_late);

    // The mode never breaks a tie (tokens are unique), yet equality sees it.
    EntryName x5{Priority::normal, 5, Mode::exclusive};
    EntryName s5{Priority::normal, 5, Mode::shared};
    CHECK((x5 <=> s5) == 0);
    CHECK_FALSE(x5 == s5);
    CHECK(x5 == EntryName{Priority::normal, 5, Mode::exclusive});
}

TEST_CASE("EntryName order: names sort as the entries do") {
    std::vector<EntryName> entries = {
        {Priority::normal, 10, Mode::exclusive}, {Priority::cut, 12, Mode::shared},
        {Priority::normal, 9, Mode::shared},     {Priority::normal, 100, Mode::exclusive},
        {Priority::cut, 3, Mode::exclusive},     {Priority::normal, max_token, Mode::shared},
    };
    std::vector<std::string> names;
    for (const auto& entry : entries)
        names.push_back(entry.str());
    std::sort(entries.begin(), entries.end());
    std::sort(names.begin(), names.end());
    REQUIRE(names.size() == entries.size());
    for (std::size_t i = 0; i < names.size(); ++i)
        CHECK(names[i] == entries[i].str());

    CHECK(entries.front() == EntryName{Priority::cut, 3, Mode::exclusive});
    CHECK(entries[1] == EntryName{Priority::cut, 12, Mode::shared});
    CHECK(entries[2] == EntryName{Priority::normal, 9, Mode::shared});
    CHECK(entries.back() == EntryName{Priority::normal, max_token, Mode::shared});
}

TEST_CASE("mode_name") {
    CHECK(coordctl::mode_name(Mode::exclusive) == "exclusive");
    CHECK(coordctl::mode_name(Mode::shared) == "shared");
}

TEST_CASE("parse_token: the high-water mark file") {
    CHECK(token_of("0") == "0");
    CHECK(token_of("42") == "42");
    CHECK(token_of("42\n") == "42");
    CHECK(token_of("42 \n\n") == "42");
    CHECK(token_of("00000000000000000042\n") == "42");
    CHECK(token_of("18446744073709551615") == "18446744073709551615");
}

TEST_CASE("parse_token: garbage and overflow are rejected") {
    const char* garbage[] = {"",
                             "\n",
                             " ",
                             "abc",
                             "-1",
                             "+1",
                             "4 2",
                             "42x",
                             " 42",
                             "\n42",
                             "0x10",
                             "1.5",
                             "1e3",
                             "42\r\n",
                             "42\t",
                             "٤٢",
                             "18446744073709551616",
                             "99999999999999999999999"};
    for (const char* text : garbage) {
        CAPTURE(std::string(text));
        CHECK(token_of(text) == "rejected");
    }
    CHECK(token_of(std::string("42\0", 3)) == "rejected");
    CHECK(token_of(std::string(1000, '0') + "7") == "7"); // leading zeros are only zeros
}

TEST_CASE(
    "format_token_file: the mark and the newest cut token, 20 digits each; parsed back exactly") {
    CHECK(format_token_file(0, 0) == "00000000000000000000\ncut 00000000000000000000\n");
    CHECK(format_token_file(42, 7) == "00000000000000000042\ncut 00000000000000000007\n");
    CHECK(format_token_file(max_token, max_token) ==
          "18446744073709551615\ncut 18446744073709551615\n");
    for (std::uint64_t token :
         {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{123456789}, max_token - 1, max_token}) {
        CAPTURE(token);
        auto marks = parse_token_file(format_token_file(token, token / 2));
        CHECK(marks.high == token);
        CHECK(marks.cut == token / 2);
    }
}

TEST_CASE("parse_token_file: a missing or damaged cut line is unknown, never zero") {
    // Written before the cut line existed: the mark alone.
    auto old = parse_token_file("00000000000000000042\n");
    CHECK(old.high == 42);
    CHECK_FALSE(old.cut.has_value());
    CHECK(parse_token_file("42").high == 42);
    CHECK_FALSE(parse_token_file("").high.has_value());
    CHECK_FALSE(parse_token_file("").cut.has_value());
    for (const char* text : {"42\ncut \n", "42\ncut x\n", "42\ncut -1\n", "42\nCUT 7\n", "42\n7\n",
                             "42\ncut 7 8\n", "42\n cut 7\n"}) {
        CAPTURE(std::string(text));
        auto marks = parse_token_file(text);
        CHECK(marks.high == 42);
        CHECK_FALSE(marks.cut.has_value());
    }
    // A damaged mark does not hide a good cut line, nor the other way round.
    auto damaged = parse_token_file("4x2\ncut 7\n");
    CHECK_FALSE(damaged.high.has_value());
    CHECK(damaged.cut == 7);
    CHECK(parse_token_file("42\ncut 7").cut == 7);          // no final newline
    CHECK(parse_token_file("42\ncut 7\ngarbage").cut == 7); // what follows is not read
}

TEST_CASE("temporary_wait_file_name: pid, 16 hex digits, creation time; read back") {
    auto name = temporary_wait_file_name(4242, 0xabcULL, 1796091439);
    CHECK(name == ".tmp-4242-0000000000000abc-1796091439");
    CHECK(temporary_wait_file_created(name) == 1796091439);
    CHECK(temporary_wait_file_created(temporary_wait_file_name(1, ~0ULL, 0)) == 0);
}

TEST_CASE("temporary_wait_file_created: other names have no creation time") {
    for (std::string_view name : {
             "", ".tmp-", ".tmp-1", ".tmp-1-0000000000000abc", ".tmp-1-0000000000000abc-",
             ".tmp-4242-task.json",                      // a workers result being written
             ".tmp-1-0000000000000abc-12.json",          // trailing garbage
             ".tmp-1-0000000000000abc-12-3",             // one field too many
             ".tmp-1-0000000000000ABC-12",               // upper-case hex
             ".tmp-1-000000000000abc-12",                // 15 hex digits
             ".tmp-01-0000000000000abc-12",              // leading zero
             ".tmp-1-0000000000000abc-012",              // leading zero in the time
             ".tmp--1-0000000000000abc-12",              // sign
             ".tmp-1-0000000000000abc--12",
             ".tmp-1-0000000000000abc-99999999999999999999", // overflow
             "tmp-1-0000000000000abc-12", "1-00000000000000000042-x", ".token"}) {
        CAPTURE(name);
        CHECK_FALSE(temporary_wait_file_created(name).has_value());
    }
}
