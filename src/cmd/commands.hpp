// The one table of subcommands.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace coordctl {

struct Subcommand {
    const char* name;
    // Adds the subcommand and its options to `app`; sets `run` to execute it.
    void (*add)(CLI::App& app, std::function<int()>& run);
};

extern const Subcommand subcommands[];
extern const std::size_t subcommand_count;

} // namespace coordctl
