// What the subcommands that run a command share on the command line:
// "-- CMD ARGS" or "-c STRING", absolute paths for the COORDCTL_* variables,
// and dying of the signal that cancelled a wait.
#pragma once

#include <string>
#include <vector>

namespace coordctl {

struct CommandOptions {
    std::vector<std::string> command; // after --
    std::string shell_command;        // -c
};

// Throws UsageError unless exactly one of the two forms was given.
void require_one_command(const CommandOptions& o, const std::string& subcommand);

// The argv to run: CMD ARGS, or $SHELL -c STRING (/bin/sh if SHELL is unset or empty).
std::vector<std::string> command_argv(const CommandOptions& o);

// `path` made absolute against the working directory (for the command's environment).
std::string absolute_path(const std::string& path);

// After a wait was cancelled by `sig` and everything was cleaned up: die of
// that signal, so that the caller sees 128+N. Returns only if sig is 0.
void die_of_signal(int sig);

} // namespace coordctl
