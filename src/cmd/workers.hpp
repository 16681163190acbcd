// coordctl workers: a task pool shared by many processes and hosts.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace coordctl {

void add_workers_command(CLI::App& app, std::function<int()>& run);

} // namespace coordctl
