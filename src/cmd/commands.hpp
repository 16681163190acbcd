// The one table of subcommands.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace coordctl {

struct Subcommand {
    const char* name;
    const char* description; // one line in `coordctl --help`
    // Adds the options to the subcommand `app`; sets `run` to execute it.
    // Only the invoked subcommand's options are built (start-up time).
    void (*add)(CLI::App& app, std::function<int()>& run);
};

extern const Subcommand subcommands[];
extern const std::size_t subcommand_count;

} // namespace coordctl
