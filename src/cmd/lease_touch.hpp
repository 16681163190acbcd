// coordctl lease-touch: keep the heartbeat of held entries fresh.
#pragma once

#include <functional>

namespace coordctl {

class Options; // cmd/commands.hpp

void add_lease_touch_command(Options& cli, std::function<int()>& run);

} // namespace coordctl
