// coordctl dbarrier: a double barrier. N participants enter together, each
// runs the command, and none leaves before all have finished (or died).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace coordctl {

// Registers the subcommand's options; `run` is set to run it after parsing.
void add_dbarrier_command(CLI::App& app, std::function<int()>& run);

} // namespace coordctl
