// coordctl barrier: set, unset or wait for a persistent one-shot gate.
#pragma once

#include <functional>

namespace coordctl {

class Options; // cmd/commands.hpp

// Registers the subcommand's options; `run` is set to run it after parsing.
void add_barrier_command(Options& cli, std::function<int()>& run);

} // namespace coordctl
