// coordctl dbarrier: a double barrier. N participants enter together, each
// runs the command, and none leaves before all have finished (or died).
#pragma once

#include <functional>

namespace coordctl {

class Options; // cmd/commands.hpp

// Registers the subcommand's options; `run` is set to run it after parsing.
void add_dbarrier_command(Options& cli, std::function<int()>& run);

} // namespace coordctl
