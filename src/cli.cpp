#include "cli.hpp"

#include "cmd/commands.hpp"
#include "core/exit_codes.hpp"
#include "version.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace coordctl {

UsageError::UsageError(const std::string& what, const std::string& subcommand)
    : Error(exit_code::usage, what), subcommand_(subcommand) {}

Duration parse_duration_option(const std::string& option, const std::string& value) {
    auto d = parse_duration(value);
    if (!d)
        throw UsageError(fmt::format("{}: invalid duration '{}' (examples: 500ms, 30s, 2m, 1h30m, 1.5)",
                                     option, value),
                         "");
    return *d;
}

Duration parse_poll_interval(const std::string& value) {
    auto d = parse_duration_option("--poll-interval", value);
    if (d.count() == 0) throw UsageError("--poll-interval: must be more than 0", "");
    return d;
}

namespace {

std::string active_subcommand(const CLI::App& app) {
    for (const auto* sub : app.get_subcommands()) return sub->get_name();
    return "";
}

} // namespace

int run_cli(int argc, char** argv) {
    CLI::App app{"coordctl: coordinate processes through a directory (locks, queues, leases)",
                 "coordctl"};
    app.set_version_flag("--version", "coordctl " COORDCTL_VERSION);
    app.require_subcommand(1);
    app.fallthrough(false);
    std::vector<std::function<int()>> runs(subcommand_count);
    for (std::size_t i = 0; i < subcommand_count; ++i) subcommands[i].add(app, runs[i]);
    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::string sub = active_subcommand(app);
        throw UsageError(e.what(), sub);
    }
    for (std::size_t i = 0; i < subcommand_count; ++i) {
        if (app.got_subcommand(subcommands[i].name)) {
            try {
                return runs[i]();
            } catch (UsageError& e) {
                if (e.subcommand().empty()) throw UsageError(e.what(), subcommands[i].name);
                throw;
            }
        }
    }
    return exit_code::usage;
}

} // namespace coordctl
