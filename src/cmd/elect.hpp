// coordctl elect: leader election that runs a command only while leader.
#pragma once

#include <functional>

namespace coordctl {

class Options; // cmd/commands.hpp

void add_elect_command(Options& cli, std::function<int()>& run);

} // namespace coordctl
