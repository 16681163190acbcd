// The command line: CLI11 setup, usage errors (exit 64), dispatch.
#pragma once

#include "core/duration.hpp"
#include "core/error.hpp"

#include <string>
#include <vector>

namespace coordctl {

// A bad command line: exit 64, "coordctl: <what>" then "Try 'coordctl SUB --help'".
class UsageError : public Error {
  public:
    UsageError(const std::string& what, const std::string& subcommand);
    const std::string& subcommand() const { return subcommand_; }

  private:
    std::string subcommand_;
};

// What is wrong with a duration option's value ("empty duration (examples:
// ...)"), or "" if nothing.
std::string duration_problem(const std::string& value);
// Parses a duration option's value or throws UsageError naming the option.
Duration parse_duration_option(const std::string& option, const std::string& value);
// Parses --poll-interval's value: a duration greater than zero.
Duration parse_poll_interval(const std::string& value);

// The command to run: `command` as given after --, or `$SHELL -c STRING`
// (/bin/sh without SHELL) for -c STRING, as flock(1) does.
std::vector<std::string> command_or_shell(const std::vector<std::string>& command,
                                          const std::string& shell_command);

// Parses argv and runs the subcommand; returns the exit code.
int run_cli(int argc, char** argv);

} // namespace coordctl
