#include "cmd/child_command.hpp"

#include "cli.hpp"

#include <csignal>
#include <cstdlib>
#include <unistd.h>

namespace coordctl {

void require_one_command(const CommandOptions& o, const std::string& subcommand) {
    if (o.command.empty() == o.shell_command.empty())
        throw UsageError(o.command.empty()
                             ? "a command is required: " + subcommand + " DIR -- CMD, or -c STRING"
                             : "--command and a command after -- exclude each other",
                         subcommand);
}

std::vector<std::string> command_argv(const CommandOptions& o) {
    if (o.shell_command.empty()) return o.command;
    const char* shell = std::getenv("SHELL");
    return {shell != nullptr && *shell != '\0' ? shell : "/bin/sh", "-c", o.shell_command};
}

std::string absolute_path(const std::string& path) {
    if (!path.empty() && path[0] == '/') return path;
    char cwd[4096];
    if (::getcwd(cwd, sizeof cwd) == nullptr) return path;
    return std::string(cwd) + "/" + path;
}

void die_of_signal(int sig) {
    if (sig == 0) return;
    std::signal(sig, SIG_DFL);
    ::raise(sig);
}

} // namespace coordctl
