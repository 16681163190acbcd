// coordctl lease-touch: keep the heartbeat of held entries fresh.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace coordctl {

void add_lease_touch_command(CLI::App& app, std::function<int()>& run);

} // namespace coordctl
