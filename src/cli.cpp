#include "cli.hpp"

#include "cmd/commands.hpp"
#include "core/exit_codes.hpp"
#include "version.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

namespace coordctl {

UsageError::UsageError(const std::string& what, const std::string& subcommand)
    : Error(exit_code::usage, what), subcommand_(subcommand) {}

std::string duration_problem(const std::string& value) {
    constexpr std::string_view examples = "examples: 500ms, 30s, 2m, 1h30m, 1.5";
    if (value.empty()) return fmt::format("empty duration ({})", examples);
    return parse_duration(value) ? "" : fmt::format("invalid duration '{}' ({})", value, examples);
}

Duration parse_duration_option(const std::string& option, const std::string& value) {
    auto d = parse_duration(value);
    if (!d) throw UsageError(fmt::format("{}: {}", option, duration_problem(value)), "");
    return *d;
}

Duration parse_poll_interval(const std::string& value) {
    auto d = parse_duration_option("--poll-interval", value);
    if (d.count() < 1) throw UsageError("--poll-interval: must be positive", "");
    return d;
}

std::vector<std::string> command_or_shell(const std::vector<std::string>& command,
                                          const std::string& shell_command) {
    if (shell_command.empty()) return command;
    const char* shell = std::getenv("SHELL");
    return {shell != nullptr && *shell != '\0' ? shell : "/bin/sh", "-c", shell_command};
}

namespace {

// Shows "--cut" rather than CLI11's "--cut{line}" for flags with a value.
class Formatter : public CLI::Formatter {
  public:
    std::string make_option_name(const CLI::Option* opt, bool positional) const override {
        std::string name = CLI::Formatter::make_option_name(opt, positional);
        for (auto open = name.find('{'); open != std::string::npos; open = name.find('{'))
            name.erase(open, name.find('}', open) - open + 1);
        return name;
    }
};

std::string active_subcommand(const CLI::App& app) {
    for (const auto* sub : app.get_subcommands()) return sub->get_name();
    return "";
}

// CLI11's message in coordctl's words where they differ: an unknown option,
// an extra argument, an option missing its value, a flag given one. CLI11 reports a missing
// DIR (or subcommand) before a word it does not know: the likelier mistake
// (`lock --bogus`) goes first. After "--" every word is an argument.
std::string usage_message(const CLI::ParseError& e, const CLI::App& app) {
    bool extras = dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr;
    if (extras || dynamic_cast<const CLI::RequiredError*>(&e) != nullptr) {
        const auto words = app.remaining(true); // the main app's and the subcommand's
        auto separator = std::find(words.begin(), words.end(), "--");
        for (auto word = words.begin(); word != separator; ++word)
            if (word->size() > 1 && word->front() == '-')
                return fmt::format("unknown option '{}'", word->substr(0, word->find('=')));
        auto argument =
            std::find_if(words.begin(), words.end(), [](const auto& w) { return w != "--"; });
        if (extras && argument != words.end())
            return fmt::format("unexpected argument '{}'", *argument);
    }
    // "--ttl: 1 required DUR missing" (CLI11 2.1's wording; any other is shown as it is)
    std::string_view what = e.what();
    auto colon = what.find(": 1 required ");
    if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) != nullptr &&
        colon != std::string_view::npos && what.ends_with(" missing"))
        return fmt::format("{}: a value is required", what.substr(0, colon));
    constexpr std::string_view override = " was given a disallowed flag override";
    if (what.ends_with(override)) { // "json was given ..."
        auto name = what.substr(0, what.size() - override.size());
        return fmt::format("{}{}: takes no value", name.size() == 1 ? "-" : "--", name);
    }
    if (what == "A subcommand is required") return "a subcommand is required";
    return e.what();
}

// The words CLI11 parses (the command's are not), with `--name=` made
// `--name ""` for an option that takes a value: an empty value, as
// getopt_long gives, where CLI11 would take the next word (`--id="$UNSET"
// -n` must not make -n the label).
std::vector<std::string> words_to_parse(std::span<char*> words,
                                        const std::function<bool(std::string_view)>& takes_value) {
    std::vector<std::string> out;
    for (std::string_view word : words) {
        if (word.starts_with("--") && word.ends_with('=') &&
            takes_value(word.substr(0, word.size() - 1))) {
            out.emplace_back(word.substr(0, word.size() - 1));
            out.emplace_back();
        } else {
            out.emplace_back(word);
        }
    }
    std::reverse(out.begin(), out.end()); // CLI11 takes them last first
    return out;
}

} // namespace

int run_cli(int argc, char** argv) {
    CLI::App app{"coordctl: coordinate processes through a directory (locks, queues, leases)",
                 "coordctl"};
    app.formatter(std::make_shared<Formatter>());
    app.set_version_flag("--version", "coordctl " COORDCTL_VERSION);
    app.require_subcommand(1);
    app.fallthrough(false);
    std::vector<std::function<int()>> runs(subcommand_count);
    std::vector<CLI::App*> subs(subcommand_count, nullptr);
    // Building CLI11 subcommands and options was most of an uncontended
    // lock's instructions: when a subcommand is named, only it is built.
    std::string invoked = argc > 1 ? argv[1] : "";
    bool known = false;
    for (std::size_t i = 0; i < subcommand_count; ++i) known = known || invoked == subcommands[i].name;
    if (!known && !invoked.empty() && invoked[0] != '-')
        throw UsageError(fmt::format("unknown subcommand '{}'", invoked), "");
    std::vector<std::string>* command = nullptr;
    int head = argc; // the "--" before the command, for a subcommand that runs one
    std::vector<std::string> to_parse;
    for (std::size_t i = 0; i < subcommand_count; ++i) {
        if (known && invoked != subcommands[i].name) continue;
        subs[i] = app.add_subcommand(subcommands[i].name, subcommands[i].description);
        if (!known) { // help (coordctl --help lock) or an error: every option, to show it
            Options all(*subs[i], nullptr);
            subcommands[i].add(all, runs[i]);
            continue;
        }
        // And of its options, those the command line can name.
        std::vector<std::string_view> args(argv + 2, argv + argc);
        OptionWords words(args);
        Options options(*subs[i], words.help() ? nullptr : &words);
        subcommands[i].add(options, runs[i]);
        command = options.command_slot();
        auto takes_value = [&options](std::string_view name) { return options.takes_value(name); };
        if (command != nullptr) head = 2 + static_cast<int>(command_separator(args, takes_value));
        to_parse = words_to_parse({argv + 1, argv + head}, takes_value);
    }
    if (!known)
        to_parse = words_to_parse({argv + 1, argv + argc}, [](std::string_view) { return false; });
    try {
        // A command's words go to it as they are, not through CLI11.
        app.parse(to_parse);
    } catch (const CLI::Success& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::string sub = active_subcommand(app);
        throw UsageError(usage_message(e, app), sub);
    }
    if (command != nullptr) {
        if (!command->empty())
            throw UsageError(fmt::format("unexpected argument '{}': the command goes after --",
                                         command->front()),
                             invoked);
        if (head < argc) command->assign(argv + head + 1, argv + argc);
    }
    for (std::size_t i = 0; i < subcommand_count; ++i) {
        if (subs[i] != nullptr && subs[i]->parsed()) {
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
