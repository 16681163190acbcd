// coordctl workers: a task pool shared by many processes and hosts.
#pragma once

#include <functional>

namespace coordctl {

class Options; // cmd/commands.hpp

void add_workers_command(Options& cli, std::function<int()>& run);

} // namespace coordctl
