#include "core/path.hpp"

#include <doctest/doctest.h>

using coordctl::tidy_path;

TEST_CASE("tidy_path: empty and '.' components dropped, '..' kept") {
    CHECK(tidy_path("/tmp/q") == "/tmp/q");
    CHECK(tidy_path("/tmp/./q//x/") == "/tmp/q/x");
    CHECK(tidy_path("//tmp///q") == "/tmp/q");
    CHECK(tidy_path("./q/") == "q");
    CHECK(tidy_path("q/../r") == "q/../r");
    CHECK(tidy_path("../q/.") == "../q");
    CHECK(tidy_path("/") == "/");
    CHECK(tidy_path("//") == "/");
    CHECK(tidy_path("/./.") == "/");
    CHECK(tidy_path(".") == ".");
    CHECK(tidy_path("") == ".");
    CHECK(tidy_path("a b/.c/..d") == "a b/.c/..d");
}

TEST_CASE("parent_path: the directory a path is in") {
    using coordctl::parent_path;
    CHECK(parent_path("/tmp/q") == "/tmp");
    CHECK(parent_path("/tmp/q/") == "/tmp");
    CHECK(parent_path("/q") == "/");
    CHECK(parent_path("/") == "/");
    CHECK(parent_path("q") == ".");
    CHECK(parent_path("./q") == ".");
    CHECK(parent_path("a//b") == "a");
    CHECK(parent_path(".") == "..");
    CHECK(parent_path("..") == "../..");
    CHECK(parent_path("a/..") == "a/../..");
}
