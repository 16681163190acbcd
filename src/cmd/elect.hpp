// coordctl elect: leader election that runs a command only while leader.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace coordctl {

void add_elect_command(CLI::App& app, std::function<int()>& run);

} // namespace coordctl
