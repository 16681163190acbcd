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
