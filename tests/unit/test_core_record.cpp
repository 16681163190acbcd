#include "core/record.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

using coordctl::ahead_max_width;
using coordctl::command_line;
using coordctl::format_record;
using coordctl::parse_record;
using coordctl::Record;
using coordctl::record_command;
using nlohmann::json;

namespace {

Record sample() {
    Record r;
    r.token = 42;
    r.mode = "exclusive";
    r.pid = 1234;
    r.host = "build-01";
    r.boot_id = "0f8e6a4c-1d2b-4c3a-9e8f-7a6b5c4d3e2f";
    r.pid_start = 987654;
    r.created_ms = 1'700'000'000'123;
    r.ttl_ms = 30'000;
    r.command = {"sleep", "5"};
    r.label = "nightly";
    return r;
}

// The sample record as JSON, for tests that damage one field at a time.
json sample_json() {
    return json::parse(format_record(sample()));
}

bool parses(const json& j) {
    return parse_record(j.dump()).has_value();
}

const char* const field_names[] = {"version", "token",   "mode",      "pid",
                                   "host",    "boot_id", "pid_start", "created_ms",
                                   "ttl_ms",  "command", "label"};

} // namespace

TEST_CASE("format_record: one line of JSON with the stable field names") {
    CHECK(format_record(sample()) ==
          R"({"boot_id":"0f8e6a4c-1d2b-4c3a-9e8f-7a6b5c4d3e2f","command":["sleep","5"],)"
          R"("created_ms":1700000000123,"held_ms":0            ,"hold":false,"host":"build-01","label":"nightly","mode":"exclusive",)"
          R"("pid":1234,"pid_start":987654,"token":42                  ,"ttl_ms":30000,"version":1})"
          "\n");
}

TEST_CASE("format_record: a default record") {
    CHECK(format_record(Record{}) ==
          R"({"boot_id":"","command":[],"created_ms":0,"held_ms":0            ,"hold":false,"host":"","label":"","mode":"",)"
          R"("pid":0,"pid_start":0,"token":0                   ,"ttl_ms":0,"version":1})"
          "\n");
}

TEST_CASE("parse_record: round trip") {
    SUBCASE("sample") {
        auto parsed = parse_record(format_record(sample()));
        REQUIRE(parsed.has_value());
        CHECK(*parsed == sample());
        CHECK(parsed->version == Record::current_version);
        CHECK(parsed->token == 42);
        CHECK(parsed->pid == 1234);
        CHECK(parsed->command == std::vector<std::string>{"sleep", "5"});
        CHECK(parsed->label == "nightly");
    }
    SUBCASE("extreme numbers") {
        Record r = sample();
        r.token = std::numeric_limits<std::uint64_t>::max();
        r.pid_start = std::numeric_limits<std::uint64_t>::max();
        r.pid = std::numeric_limits<std::int64_t>::max();
        r.created_ms = std::numeric_limits<std::int64_t>::min();
        r.ttl_ms = std::numeric_limits<std::int64_t>::max();
        auto parsed = parse_record(format_record(r));
        REQUIRE(parsed.has_value());
        CHECK(*parsed == r);
    }
    SUBCASE("text that needs escaping, and valid UTF-8") {
        Record r = sample();
        r.command = {"sh", "-c", "echo \"hi\" \\ there\n\ttab", "", "日本語 ü"};
        r.label = "quote\" backslash\\ newline\n nul" + std::string(1, '\0') + " end";
        r.mode = "shared";
        std::string text = format_record(r);
        CHECK(text.find('\n') == text.size() - 1); // still one line
        auto parsed = parse_record(text);
        REQUIRE(parsed.has_value());
        CHECK(*parsed == r);
    }
    SUBCASE("no command, no label") {
        Record r = sample();
        r.command.clear();
        r.label.clear();
        auto parsed = parse_record(format_record(r));
        REQUIRE(parsed.has_value());
        CHECK(*parsed == r);
    }
}

TEST_CASE("parse_record: accepts whitespace and fields it does not know") {
    CHECK(parse_record("  \n" + format_record(sample()) + "\n\n  ").has_value());
    json j = sample_json();
    j["future_field"] = {1, 2, 3};
    auto parsed = parse_record(j.dump(2));
    REQUIRE(parsed.has_value());
    CHECK(*parsed == sample());
}

TEST_CASE("parse_record: text that is not a JSON object") {
    const char* garbage[] = {"",
                             " ",
                             "\n",
                             "not json",
                             "{",
                             "}",
                             "{]",
                             "[]",
                             "[1]",
                             "42",
                             "\"text\"",
                             "null",
                             "true",
                             "{}",
                             "{\"version\":1",
                             "\xff\xfe\x00",
                             "{\"version\":1,}"};
    for (const char* text : garbage) {
        CAPTURE(std::string(text));
        CHECK_FALSE(parse_record(text).has_value());
    }
    json array = json::array({sample_json()});
    CHECK_FALSE(parse_record(array.dump()).has_value());
    std::string good = format_record(sample());
    CHECK_FALSE(parse_record(good + "x").has_value());                      // trailing garbage
    CHECK_FALSE(parse_record(good + good).has_value());                     // two objects
    CHECK_FALSE(parse_record(good.substr(0, good.size() / 2)).has_value()); // half-written
    CHECK_FALSE(parse_record("// comment\n" + good).has_value());
}

TEST_CASE("parse_record: every field is required") {
    for (const char* field : field_names) {
        CAPTURE(std::string(field));
        json j = sample_json();
        REQUIRE(j.erase(field) == 1);
        CHECK_FALSE(parses(j));
    }
}

TEST_CASE("parse_record: fields of the wrong type") {
    for (const char* field : field_names) {
        CAPTURE(std::string(field));
        bool text = std::string_view(field) == "mode" || std::string_view(field) == "host" ||
                    std::string_view(field) == "boot_id" || std::string_view(field) == "label";
        json scalar = text ? json(1) : json("1");
        for (const json& wrong : {json(nullptr), json(true), json::object(), scalar}) {
            CAPTURE(wrong.dump());
            json j = sample_json();
            j[field] = wrong;
            CHECK_FALSE(parses(j));
        }
    }
    struct Case {
        const char* field;
        json value;
    };
    const Case cases[] = {
        {"version", 1.0},
        {"token", 42.0},
        {"token", -42},
        {"pid", 1234.5},
        {"pid_start", -1},
        {"created_ms", 1.5},
        {"ttl_ms", 3e4},
        {"host", 7},
        {"boot_id", json::array()},
        {"mode", 1},
        {"label", json::array({"a"})},
        {"command", "sleep 5"},
        {"command", json::array({"sleep", 5})},
        {"command", json::array({json::array()})},
        {"command", json::array({nullptr})},
    };
    for (const auto& c : cases) {
        CAPTURE(std::string(c.field));
        CAPTURE(c.value.dump());
        json j = sample_json();
        j[c.field] = c.value;
        CHECK_FALSE(parses(j));
    }
}

TEST_CASE("parse_record: numbers outside their field's range") {
    // Too large for the field's type: must not wrap around into a valid value.
    const char* cases[] = {
        R"("version":4294967297)",           // 2^32 + 1 would wrap to version 1
        R"("version":18446744073709551615)", //
        R"("pid":4294967296000000000000)",   // beyond 64 bits
        R"("pid":9223372036854775808)",      // 2^63 wraps negative
        R"("pid":18446744073709551617)",     //
        R"("created_ms":9223372036854775808)",
        R"("ttl_ms":18446744073709551615)",
        R"("token":18446744073709551616)", // 2^64
        R"("pid_start":-1)",
    };
    for (const char* replacement : cases) {
        std::string text = format_record(sample());
        std::string key = std::string(replacement).substr(0, std::string(replacement).find(':'));
        auto start = text.find(key + ":");
        REQUIRE(start != std::string::npos);
        auto end = text.find_first_of(",}", start);
        text.replace(start, end - start, replacement);
        CAPTURE(text);
        CHECK_FALSE(parse_record(text).has_value());
    }
}

TEST_CASE("parse_record: only the current version") {
    for (int version : {0, 2, -1, 100}) {
        CAPTURE(version);
        json j = sample_json();
        j["version"] = version;
        CHECK_FALSE(parses(j));
    }
    json j = sample_json();
    j["version"] = Record::current_version;
    CHECK(parses(j));
}

TEST_CASE("parse_record: the owner pid must be positive") {
    for (std::int64_t pid : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{-1234},
                             std::numeric_limits<std::int64_t>::min()}) {
        CAPTURE(pid);
        json j = sample_json();
        j["pid"] = pid;
        CHECK_FALSE(parses(j));
    }
    json j = sample_json();
    j["pid"] = 1;
    auto parsed = parse_record(j.dump());
    REQUIRE(parsed.has_value());
    CHECK(parsed->pid == 1);
}

TEST_CASE("parse_record: size limit") {
    std::string good = format_record(sample());
    REQUIRE(good.size() < Record::max_size);
    // Trailing whitespace keeps the JSON valid, so only the size decides.
    std::string at_limit = good + std::string(Record::max_size - good.size(), ' ');
    REQUIRE(at_limit.size() == Record::max_size);
    CHECK(parse_record(at_limit).has_value());
    CHECK_FALSE(parse_record(at_limit + " ").has_value());
    CHECK_FALSE(parse_record(good + std::string(10 * Record::max_size, ' ')).has_value());

    // A label that makes the record too big.
    Record big = sample();
    big.label = std::string(Record::max_size, 'a');
    CHECK_FALSE(parse_record(format_record(big)).has_value());
}

TEST_CASE("parse_record: hostile nesting does not crash") {
    std::size_t depth = Record::max_size / 2;
    CHECK_FALSE(parse_record(std::string(depth, '[') + std::string(depth, ']')).has_value());
    CHECK_FALSE(parse_record(std::string(Record::max_size, '[')).has_value());
    std::string objects;
    for (std::size_t i = 0; objects.size() + 10 < Record::max_size; ++i)
        objects += "{\"a\":";
    CHECK_FALSE(parse_record(objects).has_value());
}

TEST_CASE("format_record: invalid UTF-8 in user text does not throw") {
    Record r = sample();
    r.command = {"ab\xff"
                 "cd",
                 "\xc3"};
    r.label = "lab\xfe\xfe"
              "el";
    std::string text;
    CHECK_NOTHROW(text = format_record(r));
    // The bad bytes are replaced by U+FFFD; the rest survives.
    auto parsed = parse_record(text);
    REQUIRE(parsed.has_value());
    CHECK(parsed->command == std::vector<std::string>{"ab\xef\xbf\xbd"
                                                      "cd",
                                                      "\xef\xbf\xbd"});
    CHECK(parsed->label == "lab\xef\xbf\xbd\xef\xbf\xbd"
                           "el");
    CHECK(parsed->pid == 1234);
    CHECK(parsed->host == "build-01");
}

TEST_CASE("command_line: words joined by spaces") {
    CHECK(command_line({}) == "(none)");
    CHECK(command_line({"true"}) == "true");
    CHECK(command_line({"sleep", "5"}) == "sleep 5");
    CHECK(command_line({"sh", "-c", "echo hi && sleep 1"}) == "sh -c echo hi && sleep 1");
    CHECK(command_line({"sh", "-c", "echo a\necho b"}) == "sh -c echo a\\necho b");
}

TEST_CASE("printable: control characters escaped, the rest unchanged") {
    using coordctl::printable;
    CHECK(printable("") == "");
    CHECK(printable("nightly backup é") == "nightly backup é");
    CHECK(printable("a\nb\tc\rd") == "a\\nb\\tc\\rd");
    CHECK(printable("\x1b[31mred\x1b[0m") == "\\x1b[31mred\\x1b[0m");
    CHECK(printable(std::string("nul\0del\x7f", 8)) == "nul\\x00del\\x7f");
    CHECK(printable("back\\slash, \\n") == "back\\\\slash, \\\\n");
    // C1 controls in UTF-8 (U+009B is CSI on some terminals); other two-byte
    // characters starting with 0xc2, and a lone 0xc2 at the end, unchanged.
    CHECK(printable("\xc2\x9b"
                    "31mred") == "\\xc2\\x9b31mred");
    CHECK(printable("\xc2\x80\xc2\x9f") == "\\xc2\\x80\\xc2\\x9f");
    CHECK(printable("\xc2\xa0nbsp \xc2\xa9 \xc2") == "\xc2\xa0nbsp \xc2\xa9 \xc2");
}

TEST_CASE("one_line: control characters escaped as printable does, backslashes kept") {
    using coordctl::one_line;
    CHECK(one_line("cannot open directory: /tmp/a\nb: No such file") ==
          "cannot open directory: /tmp/a\\nb: No such file");
    CHECK(one_line("\x1b[2J\xc2\x9b") == "\\x1b[2J\\xc2\\x9b");
    CHECK(one_line("C:\\dir\\n") == "C:\\dir\\n"); // already printable(): unchanged
    CHECK(one_line(coordctl::printable("a\\b\tc")) == coordctl::printable("a\\b\tc"));
}

TEST_CASE("a record's text is valid UTF-8: a lone byte 0x80-0x9f never reaches printable") {
    // A label (--id) or command word with bytes that are not UTF-8 (a lone
    // 0x9b is CSI on 8-bit terminals) is written with U+FFFD in their place,
    // and a file with such bytes in a string does not parse as a record.
    Record r = sample();
    r.label = "a\x9b[31mb";
    r.command = {"echo", "\x85"};
    auto parsed = parse_record(format_record(r));
    REQUIRE(parsed);
    CHECK(parsed->label == "a\xef\xbf\xbd[31mb");
    CHECK(parsed->command == std::vector<std::string>{"echo", "\xef\xbf\xbd"});
    std::string text = format_record(parsed.value());
    text.replace(text.find("\xef\xbf\xbd"), 3, "\x9b");
    CHECK_FALSE(parse_record(text));
}

TEST_CASE("parse_record rejects a non-positive ttl and an unknown mode") {
    coordctl::Record r;
    r.token = 3;
    r.mode = "exclusive";
    r.pid = 10;
    r.ttl_ms = 30000;
    CHECK(coordctl::parse_record(coordctl::format_record(r)).has_value());
    r.ttl_ms = 0;
    CHECK_FALSE(coordctl::parse_record(coordctl::format_record(r)).has_value());
    r.ttl_ms = -5;
    CHECK_FALSE(coordctl::parse_record(coordctl::format_record(r)).has_value());
    r.ttl_ms = 30000;
    r.mode = "banana";
    CHECK_FALSE(coordctl::parse_record(coordctl::format_record(r)).has_value());
    r.mode = "shared";
    CHECK(coordctl::parse_record(coordctl::format_record(r)).has_value());
}

TEST_CASE("the hold flag is optional, boolean, and round-trips") {
    coordctl::Record r;
    r.token = 3;
    r.mode = "slots";
    r.pid = 10;
    r.ttl_ms = 30000;
    r.hold = true;
    auto back = coordctl::parse_record(coordctl::format_record(r));
    REQUIRE(back.has_value());
    CHECK(back->hold);
    CHECK(*back == r);
    std::string text = coordctl::format_record(r);
    auto without = text.substr(0, text.find(",\"hold\":true")) + text.substr(text.find(",\"hold\":true") + 12);
    auto parsed = coordctl::parse_record(without);
    REQUIRE(parsed.has_value());
    CHECK_FALSE(parsed->hold);
    auto wrong = text.replace(text.find("true"), 4, "1");
    CHECK_FALSE(coordctl::parse_record(wrong).has_value());
}

TEST_CASE("held_ms is filled in place: same size, still a valid record") {
    coordctl::Record r;
    r.token = 3;
    r.mode = "exclusive";
    r.pid = 10;
    r.ttl_ms = 30000;
    std::string text = coordctl::format_record(r);
    auto slot = coordctl::held_ms_slot(text);
    REQUIRE(slot.width == 13);
    auto before = text.size();
    text.replace(slot.offset, slot.width, coordctl::slot_text(1795447773658, slot.width));
    CHECK(text.size() == before);
    auto parsed = coordctl::parse_record(text);
    REQUIRE(parsed.has_value());
    CHECK(parsed->held_ms == 1795447773658);
    CHECK(coordctl::slot_text(42, 5) == "42   ");
    CHECK(coordctl::held_ms_slot("{}").width == 0);
}

TEST_CASE("the token is filled in place: any 64-bit token, same size, still a valid record") {
    coordctl::Record r;
    r.mode = "shared";
    r.pid = 10;
    r.ttl_ms = 30000;
    r.label = "\"token\": 7,";
    std::string text = coordctl::format_record(r);
    auto slot = coordctl::token_slot(text);
    REQUIRE(slot.width == 20);
    for (std::uint64_t token : {std::uint64_t{1}, std::uint64_t{18446744073709551615u}}) {
        auto filled = text;
        filled.replace(slot.offset, slot.width, coordctl::slot_text(token, slot.width));
        CHECK(filled.size() == text.size());
        auto parsed = coordctl::parse_record(filled);
        REQUIRE(parsed.has_value());
        CHECK(parsed->token == token);
        CHECK(parsed->label == r.label);
        CHECK(coordctl::held_ms_slot(filled).width == 13);
    }
}

TEST_CASE("parse_grant_facts: a waiting, then a granted record, as parse_record reads them") {
    using coordctl::GrantFacts;
    using coordctl::parse_grant_facts;
    Record r = sample();
    r.label = R"("token":7,"held_ms":9,"version":1)"; // keys inside a string are not keys
    r.command = {"{\"token\":8}", "]", "}"};
    std::string text = format_record(r);
    CHECK(parse_grant_facts(text) == GrantFacts{42, 0});
    auto slot = coordctl::held_ms_slot(text);
    text.replace(slot.offset, slot.width, coordctl::slot_text(1795447773658, slot.width));
    CHECK(parse_grant_facts(text) == GrantFacts{42, 1795447773658});
    auto record = parse_record(text);
    REQUIRE(record.has_value());
    CHECK(record->token == 42);
    CHECK(record->held_ms == 1795447773658);
}

TEST_CASE("parse_grant_facts: rejects what parse_record rejects for its three fields") {
    using coordctl::parse_grant_facts;
    const char* const not_records[] = {"",
                                       "{",
                                       "not json",
                                       "[]",
                                       "42",
                                       R"("token")",
                                       R"([{"token":1,"version":1}])",
                                       R"({"token":1,"version":1} trailing)",
                                       R"({"token":1,"version":1}{})",
                                       R"({"a":{"token":1,"version":1}})"};
    for (const char* text : not_records) {
        INFO(text);
        CHECK_FALSE(parse_grant_facts(text).has_value());
        CHECK_FALSE(parse_record(text).has_value());
    }
    CHECK_FALSE(parse_grant_facts(std::string(Record::max_size + 1, ' ')).has_value());
    // A valid record with one of the three fields damaged (or gone): the
    // other fields are fine, so parse_record rejects it for that field.
    const std::string valid = sample_json().dump();
    auto with = [&valid](std::string_view field, std::string_view value) {
        std::string key = "\"" + std::string(field) + "\":";
        auto at = valid.find(key);
        REQUIRE(at != std::string::npos);
        auto end = valid.find_first_of(",}", at);
        return valid.substr(0, at) + (value.empty() ? "" : key + std::string(value)) +
               valid.substr(value.empty() ? end + 1 : end);
    };
    const std::pair<const char*, const char*> damaged[] = {
        {"token", ""},        {"token", "-1"},         {"token", "-0"},
        {"token", "\"42\""},  {"token", "42.0"},       {"token", "null"},
        {"token", "[42]"},    {"token", "{\"a\":42}"}, {"token", "18446744073709551616"},
        {"version", ""},      {"version", "2"},        {"version", "-0"},
        {"version", "1.0"},   {"version", "\"1\""},    {"version", "-1"},
        {"held_ms", "\"5\""}, {"held_ms", "5.0"},      {"held_ms", "-0.0"},
        {"held_ms", "true"},  {"held_ms", "null"},     {"held_ms", "9223372036854775808"}};
    for (const auto& [field, value] : damaged) {
        auto text = with(field, value);
        INFO(text);
        CHECK_FALSE(parse_grant_facts(text).has_value());
        CHECK_FALSE(parse_record(text).has_value());
    }
    // Signed held_ms values parse_record accepts: not granted, for both.
    for (const char* value : {"-0", "-5", "-9223372036854775808"}) {
        auto text = with("held_ms", value);
        INFO(text);
        auto record = parse_record(text);
        REQUIRE(record.has_value());
        CHECK(parse_grant_facts(text) == coordctl::GrantFacts{record->token, record->held_ms});
        CHECK(record->held_ms <= 0);
    }
}

TEST_CASE("parse_grant_facts: agrees with parse_record wherever that accepts") {
    using coordctl::GrantFacts;
    using coordctl::parse_grant_facts;
    auto agree = [](const json& j) {
        auto text = j.dump();
        INFO(text);
        auto record = parse_record(text);
        REQUIRE(record.has_value());
        CHECK(parse_grant_facts(text) == GrantFacts{record->token, record->held_ms});
    };
    auto j = sample_json();
    agree(j);
    j["held_ms"] = -5; // not granted, but a valid record
    agree(j);
    j["held_ms"] = std::numeric_limits<std::int64_t>::max();
    agree(j);
    j.erase("held_ms");
    agree(j);
    j["token"] = std::numeric_limits<std::uint64_t>::max();
    j["extra"] = json{{"token", 5}, {"held_ms", 6}, {"version", 7}};
    j["list"] = json::array({json{{"token", 1}}, 2, "3"});
    agree(j);
    // A repeated key counts with its last value, for both.
    auto text = sample_json().dump();
    text.insert(1, R"("token":"bad","held_ms":"bad","version":2,)");
    auto record = parse_record(text);
    REQUIRE(record.has_value());
    CHECK(parse_grant_facts(text) == GrantFacts{record->token, record->held_ms});
}

TEST_CASE("slots: \"ahead\" is null until the grant fills it in place") {
    using coordctl::ahead_slot;
    using coordctl::ahead_width;
    using coordctl::format_ahead;
    using coordctl::parse_slots_grant;
    Record r = sample();
    r.mode = "slots";
    std::vector<std::string> names = {"1-00000000000000000003-s3", "0-00000000000000000005-s3"};
    auto width = ahead_width(2, names[0].size());
    std::string text = format_record(r, width);
    CHECK(parse_record(text).has_value());
    CHECK_FALSE(parse_slots_grant(text).has_value()); // not granted yet
    CHECK_FALSE(parse_slots_grant(format_record(r)).has_value());
    auto slot = ahead_slot(text);
    REQUIRE(slot.width == width);
    for (const auto& list : {names, std::vector<std::string>{}}) {
        auto filled = text;
        filled.replace(slot.offset, slot.width, format_ahead(list, slot.width));
        CHECK(filled.size() == text.size());
        auto record = parse_record(filled);
        REQUIRE(record.has_value());
        CHECK(*record == r);
        auto grant = parse_slots_grant(filled);
        REQUIRE(grant.has_value());
        CHECK(grant->token == 42);
        CHECK(grant->ahead == list);
        CHECK(coordctl::held_ms_slot(filled).width == 13);
        CHECK(coordctl::token_slot(filled).width == 20);
    }
    CHECK(format_ahead({names[0], names[1], names[0]}, width).empty()); // does not fit
    CHECK(ahead_width(0, 25) == 4);                                      // room for null
    CHECK(ahead_width(1000, 25) == 0);                                   // too large: no field
    auto j = sample_json();
    j["ahead"] = {"a", 1};
    CHECK_FALSE(parse_slots_grant(j.dump()).has_value());
    j["ahead"] = "1-00000000000000000003-s3";
    CHECK_FALSE(parse_slots_grant(j.dump()).has_value());
    j["ahead"] = json::array();
    j["version"] = 2;
    CHECK_FALSE(parse_slots_grant(j.dump()).has_value());
}

TEST_CASE("record_command: kept whole while it fits, else cut with \"...\"; the worst record still "
          "parses") {
    std::vector<std::string> small{"make", "-j4", "all"};
    CHECK(record_command(small) == small);
    CHECK(record_command({}).empty());

    std::vector<std::string> many;
    for (int i = 0; i < 15000; ++i)
        many.push_back(std::to_string(i));
    auto kept = record_command(many);
    REQUIRE(kept.size() > 100);
    CHECK(kept.back() == "...");
    CHECK(std::equal(kept.begin(), kept.end() - 2, many.begin()));
    std::size_t size = 0;
    for (const auto& w : kept)
        size += w.size() + 3;
    CHECK(size <= Record::max_command_size);

    // One long word of multi-byte characters: cut at a character boundary.
    std::string e_acute = "\xc3\xa9";
    std::string word;
    for (int i = 0; i < 5000; ++i)
        word += e_acute;
    auto cut = record_command({"echo", word});
    REQUIRE(cut.size() == 3);
    CHECK(cut[2] == "...");
    CHECK(cut[1].size() % 2 == 0);
    CHECK(word.starts_with(cut[1]));
    CHECK(cut[1].size() > Record::max_command_size / 2);

    // Every byte escaped (\u00XX), with the longest label: under max_size, and parsed back.
    Record r = sample();
    r.command = record_command({std::string(100000, '\x01')});
    r.label = std::string(Record::max_label_size, '\x01');
    auto text = format_record(r, ahead_max_width);
    CHECK(text.size() <= Record::max_size);
    auto back = parse_record(text);
    REQUIRE(back);
    CHECK(back->command == r.command);
}

TEST_CASE("record: count (dbarrier) is written only when set, and read back") {
    Record r = sample();
    CHECK(format_record(r).find("\"count\"") == std::string::npos);
    r.count = 3;
    auto text = format_record(r);
    CHECK(text.find(R"("count":3,)") != std::string::npos);
    auto back = parse_record(text);
    REQUIRE(back);
    CHECK(back->count == 3);
    auto j = json::parse(text);
    j["count"] = "three";
    CHECK_FALSE(parse_record(j.dump()));
}
