#include "core/option_words.hpp"

#include <doctest/doctest.h>

#include <string_view>
#include <vector>

using coordctl::OptionWords;

namespace {
OptionWords words(std::vector<std::string_view> args) { return OptionWords(args); }
} // namespace

TEST_CASE("no option words: only positionals are wanted") {
    auto w = words({"/tmp/q", "--", "ls", "-la"});
    CHECK(w.may_name("DIR"));
    CHECK(w.may_name("CMD"));
    CHECK_FALSE(w.may_name("-w,--timeout"));
    CHECK_FALSE(w.may_name("-c,--command"));
    CHECK_FALSE(w.help());
}

TEST_CASE("long words name their option, with or without =value, never by prefix") {
    auto w = words({"--timeout=5s", "/tmp/q", "--id", "x", "--cut"});
    CHECK(w.may_name("-w,--timeout"));
    CHECK(w.may_name("--id"));
    CHECK(w.may_name("--cut{line}"));
    CHECK_FALSE(w.may_name("--ttl"));
    CHECK_FALSE(w.may_name("--time"));
    CHECK_FALSE(w.may_name("--timeout-x"));
}

TEST_CASE("short groups: every letter may name an option") {
    auto w = words({"-qw5s", "/tmp/q"});
    CHECK(w.may_name("-q,--quiet"));
    CHECK(w.may_name("-w,--timeout"));
    CHECK(w.may_name("-s,--shared")); // the 's' of "5s": built, harmless
    CHECK_FALSE(w.may_name("-n,--nonblock"));
    CHECK_FALSE(w.may_name("--quiet-not"));
}

TEST_CASE("the command's words may name options: \"--\" may be an option's value") {
    auto w = words({"-c", "--", "--timeout", "-v"});
    CHECK(w.may_name("-c,--command"));
    CHECK(w.may_name("-w,--timeout"));
    CHECK(w.may_name("-v,--verbose"));
    CHECK_FALSE(w.may_name("--ttl"));
}

TEST_CASE("help: --help, -h, or an h in a short group, anywhere") {
    CHECK(words({"--help"}).help());
    CHECK(words({"/tmp/q", "-h"}).help());
    CHECK(words({"-qh"}).help());
    CHECK(words({"/tmp/q", "--", "--help"}).help()); // in case "--" is a value
    CHECK_FALSE(words({"--hold", "/tmp/q", "--", "sh", "-c", "echo -h"}).help());
}

TEST_CASE("command_separator: the first -- that is not an option's value") {
    auto takes_value = [](std::string_view name) {
        return name == "--id" || name == "-w" || name == "--timeout" || name == "-c";
    };
    auto at = [&](std::vector<std::string_view> args) {
        return coordctl::command_separator(args, takes_value);
    };
    CHECK(at({"D", "--", "grep", "[0-9]"}) == 1);
    CHECK(at({"D", "-n", "--", "x"}) == 2);
    CHECK(at({"D", "--id", "--", "--", "x"}) == 3); // --id's value is "--"
    CHECK(at({"D", "--id=--", "--", "x"}) == 2);    // attached
    CHECK(at({"D", "-w", "--", "--", "x"}) == 3);   // -w's value
    CHECK(at({"D", "-w5", "--", "x"}) == 2);        // attached to the letter
    CHECK(at({"D", "-nw", "--", "--", "x"}) == 3);  // flags, then -w: its value next
    CHECK(at({"D", "-nq", "--", "x"}) == 2);        // flags only
    CHECK(at({"D", "--shared", "--", "x"}) == 2);   // a flag
    CHECK(at({"D", "-c", "echo", "x"}) == 4);       // none
    CHECK(at({}) == 0);
    CHECK(at({"--id"}) == 1); // a value missing at the end
}

TEST_CASE("option_names: each of CLI11's names, a flag's default value dropped") {
    using coordctl::option_names;
    using V = std::vector<std::string_view>;
    CHECK(option_names("-w,--timeout") == V{"-w", "--timeout"});
    CHECK(option_names("--cut{line}") == V{"--cut"});
    CHECK(option_names("DIR") == V{"DIR"});
    CHECK(option_names("") == V{});
}
