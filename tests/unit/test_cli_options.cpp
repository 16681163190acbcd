// Building only the options a command line names (OptionWords) must not
// change how CLI11 parses it: every subcommand, many generated command lines,
// parsed once with every option built and once with only the named ones.
#include "cmd/commands.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace {

std::vector<std::string> results(const coordctl::Subcommand& sub, const std::vector<std::string>& args,
                                 bool filtered, const std::vector<std::string>& names, std::string& error) {
    CLI::App app;
    auto* cmd = app.add_subcommand(sub.name, sub.description);
    std::vector<std::string_view> views(args.begin(), args.end());
    coordctl::OptionWords words(views);
    std::function<int()> run;
    coordctl::Options options(*cmd, filtered && !words.help() ? &words : nullptr); // as run_cli
    sub.add(options, run);
    std::vector<std::string> argv{args.rbegin(), args.rend()};
    argv.push_back(sub.name);
    error.clear();
    try {
        app.parse(argv);
    } catch (const CLI::Success&) {
        error = "help: " + cmd->help(); // every option listed
    } catch (const CLI::ParseError& e) {
        error = e.what();
    }
    std::vector<std::string> out;
    for (const auto& name : names) {
        std::string shown;
        try {
            const auto* opt = cmd->get_option(name);
            for (const auto& r : opt->results()) shown += r + "\x1f";
            shown += std::to_string(opt->count());
        } catch (const CLI::OptionNotFound&) {
            shown = "0"; // not built: never given
        }
        out.push_back(shown);
    }
    return out;
}

} // namespace

TEST_CASE("filtered option building parses every command line as the full build does") {
    std::mt19937 random(20261130);
    const std::vector<std::string> values{"5s", "1", "0", "x", "-1", "line", "preempt", "keep", "-", "/tmp/q", "a b"};
    for (std::size_t s = 0; s < coordctl::subcommand_count; ++s) {
        const auto& sub = coordctl::subcommands[s];
        // The full build's option names, with every alias and short letter.
        std::vector<std::string> names, spellings;
        {
            CLI::App app;
            auto* cmd = app.add_subcommand(sub.name, sub.description);
            std::function<int()> run;
            coordctl::Options all(*cmd, nullptr);
            sub.add(all, run);
            for (const auto* opt : cmd->get_options()) {
                names.push_back(opt->get_name());
                for (const auto& l : opt->get_lnames()) spellings.push_back("--" + l);
                for (const auto& c : opt->get_snames()) spellings.push_back("-" + c);
            }
        }
        spellings.push_back("--no-such-option");
        spellings.push_back("-Z");
        for (int n = 0; n < 1500; ++n) {
            std::vector<std::string> args;
            int words = static_cast<int>(random() % 6);
            for (int i = 0; i < words; ++i) {
                auto pick = random() % 10;
                const auto& spelled = spellings[random() % spellings.size()];
                const auto& value = values[random() % values.size()];
                if (pick < 4) {
                    args.push_back(spelled);
                } else if (pick < 6) {
                    args.push_back(spelled);
                    args.push_back(value);
                } else if (pick < 7 && spelled.starts_with("--")) {
                    args.push_back(spelled + "=" + value);
                } else if (pick < 8 && !spelled.starts_with("--")) {
                    // a short group: two letters, or a letter and its value
                    const auto& other = spellings[random() % spellings.size()];
                    args.push_back(spelled + (other.starts_with("--") ? value : other.substr(1)));
                } else if (pick < 9) {
                    args.push_back(value);
                } else {
                    args.push_back("--");
                    args.push_back(random() % 2 ? "-h" : spelled);
                }
            }
            if (random() % 4 != 0) args.push_back("/tmp/q");
            std::string full_error, filtered_error;
            auto full = results(sub, args, false, names, full_error);
            auto filtered = results(sub, args, true, names, filtered_error);
            std::string line = sub.name;
            for (const auto& a : args) line += " [" + a + "]";
            INFO(line);
            CHECK(filtered_error == full_error);
            auto joined = [&](const std::vector<std::string>& r) {
                std::string text;
                for (std::size_t i = 0; i < r.size(); ++i) text += names[i] + "=" + r[i] + " ";
                return text;
            };
            CHECK(joined(filtered) == joined(full));
        }
    }
}
