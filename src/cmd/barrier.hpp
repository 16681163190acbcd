// coordctl barrier: set, unset or wait for a persistent one-shot gate.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace coordctl {

// Registers the subcommand's options; `run` is set to run it after parsing.
void add_barrier_command(CLI::App& app, std::function<int()>& run);

} // namespace coordctl
