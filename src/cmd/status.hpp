// coordctl status: what is in a coordination directory, and who is alive.
#pragma once

#include <functional>

namespace coordctl {

class Options; // cmd/commands.hpp

void add_status_command(Options& cli, std::function<int()>& run);

} // namespace coordctl
