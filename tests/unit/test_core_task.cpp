#include "core/task.hpp"

#include <doctest/doctest.h>

using namespace coordctl;

TEST_CASE("task names: empty, '/', leading dot and control characters are refused") {
    CHECK(task_name_problem("shard-1") == "");
    CHECK(task_name_problem("a b.c") == "");
    CHECK(task_name_problem("") == "a task name cannot be empty");
    CHECK(task_name_problem("a/b") == "a task name cannot contain '/'");
    CHECK(task_name_problem(".hidden") == "a task name cannot start with a dot");
    CHECK(task_name_problem("..") == "a task name cannot start with a dot");
    CHECK(task_name_problem("tab\there") == "a task name cannot contain control characters");
    CHECK(task_name_problem(std::string(201, 'x')) == "a task name is at most 200 bytes");
    CHECK(task_name_problem(std::string(200, 'x')) == "");
}

TEST_CASE("task lists skip blanks and comments and trim spaces") {
    CHECK(parse_task_list("a\n\n  b  \n# c\nd\r\n") == std::vector<std::string>{"a", "b", "d"});
    CHECK(parse_task_list("") == std::vector<std::string>{});
    CHECK(parse_task_list("last-without-newline") == std::vector<std::string>{"last-without-newline"});
}

TEST_CASE("{} is replaced everywhere, also inside a larger argument") {
    CHECK(substitute_task({"run", "{}", "--out={}.log", "x"}, "t1") ==
          std::vector<std::string>{"run", "t1", "--out=t1.log", "x"});
    CHECK(substitute_task({"sh", "-c", "echo {} {}"}, "a{}b") ==
          std::vector<std::string>{"sh", "-c", "echo a{}b a{}b"});
    CHECK(substitute_task({"no-braces"}, "t") == std::vector<std::string>{"no-braces"});
}

TEST_CASE("task results round-trip and garbage is refused") {
    TaskResult r{true, 0, 1, "h", 42, 1500, 1795440000000};
    CHECK(parse_task_result(format_task_result(r)) == r);
    TaskResult failed{false, 3, 4, "h", 42, 10, 1};
    CHECK(parse_task_result(format_task_result(failed)) == failed);
    CHECK_FALSE(parse_task_result("").has_value());
    CHECK_FALSE(parse_task_result("[]").has_value());
    CHECK_FALSE(parse_task_result(R"({"state":"maybe","exit_code":0})").has_value());
    CHECK_FALSE(parse_task_result(R"({"state":"done"})").has_value());
}

TEST_CASE("restart backoff doubles from 1s and stops at 30s") {
    CHECK(restart_backoff(0) == std::chrono::seconds(1));
    CHECK(restart_backoff(1) == std::chrono::seconds(1));
    CHECK(restart_backoff(2) == std::chrono::seconds(2));
    CHECK(restart_backoff(5) == std::chrono::seconds(16));
    CHECK(restart_backoff(6) == std::chrono::seconds(30));
    CHECK(restart_backoff(100) == std::chrono::seconds(30));
}
