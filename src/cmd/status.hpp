// coordctl status: what is in a coordination directory, and who is alive.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace coordctl {

void add_status_command(CLI::App& app, std::function<int()>& run);

} // namespace coordctl
