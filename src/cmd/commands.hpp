// The one table of subcommands.
#pragma once

#include "cli.hpp"
#include "core/option_words.hpp"
#include "core/record.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <type_traits>
#include <vector>

namespace coordctl {

namespace detail {
template <typename T> constexpr bool is_vector = false;
template <typename T> constexpr bool is_vector<std::vector<T>> = true;
} // namespace detail

// Builds the invoked subcommand's options: only those its command line can
// name (see OptionWords), or every one (words null: for help). An option
// that acts when not named (envname, default_val, needs) must be built
// always, as required() does: tests/unit/test_cli_options.cpp checks the rest.
class Options {
  public:
    Options(CLI::App& app, const OptionWords* words) : app_(app), words_(words) {}

    // The option, or null if the command line cannot name it (not built).
    template <typename T>
    CLI::Option* option(const std::string& names, T& value, const std::string& description) {
        if (!wanted(names)) return nullptr;
        valued(names);
        return added<T>(app_.add_option(names, value, description));
    }
    // The same, shown in help as "NAME TYPE".
    template <typename T>
    CLI::Option* option(const std::string& names, T& value, const std::string& description, const char* type) {
        auto* opt = option(names, value, description);
        return opt != nullptr ? opt->type_name(type) : nullptr;
    }
    // A duration, kept as text (parse_duration_option reads it at run time,
    // as an empty value means not given there): checked here, an empty one
    // refused, so that every value of an option given twice is checked.
    CLI::Option* duration(const std::string& names, std::string& value,
                          const std::string& description) {
        auto* opt = option(names, value, description, "DUR");
        if (opt != nullptr) opt->check(duration_problem);
        return opt;
    }
    // -c STRING: an empty one is refused (flock(1) would run `sh -c ''`;
    // here it is most likely an unset variable).
    CLI::Option* shell_command(std::string& value) {
        auto* opt = option("-c,--command", value, "Run STRING with $SHELL -c", "STRING");
        if (opt != nullptr)
            opt->check([](const std::string& text) {
                return text.empty() ? std::string("must not be empty") : std::string();
            });
        return opt;
    }
    // A process id: decimal (see decimal_if_integer), and not 0.
    CLI::Option* process_id(const std::string& names, pid_t& value, const std::string& description) {
        auto* opt = option(names, value, description, "PID");
        if (opt != nullptr)
            opt->check([](const std::string& text) {
                return text == "0" ? std::string("not a process id: 0") : std::string();
            });
        return opt;
    }
    // An --id: a label kept in the wait file, so of bounded size; never
    // empty (`--id "$NAME"` with NAME unset would silently mean the default).
    CLI::Option* label(const std::string& names, std::string& value, const std::string& description,
                       const char* type) {
        auto* opt = option(names, value, description, type);
        if (opt != nullptr)
            opt->check([](const std::string& text) {
                if (text.empty()) return std::string("must not be empty");
                return text.size() > Record::max_label_size
                           ? fmt::format("longer than {} bytes", Record::max_label_size)
                           : std::string();
            });
        return opt;
    }
    // A flag; an on/off one takes no value (CLI11 alone reads --json=0 as off).
    template <typename T>
    CLI::Option* flag(const std::string& names, T& value, const std::string& description) {
        if (!wanted(names)) return nullptr;
        auto* opt = app_.add_flag(names, value, description);
        if constexpr (std::is_same_v<T, bool>) opt->disable_flag_override();
        return opt;
    }
    // Always built: CLI11 reports it when missing, or empty (an empty DIR or
    // PATH would otherwise reach each subcommand's own checks).
    template <typename T>
    CLI::Option* required(const std::string& names, T& value, const std::string& description) {
        valued(names);
        return added<T>(app_.add_option(names, value, description))
            ->required()
            ->check([](const std::string& text) {
                return text.empty() ? std::string("must not be empty") : std::string();
            });
    }
    // The command after "--": run_cli puts those words in `value` verbatim
    // (CLI11 would read "[a,b]" as a list). Shown in help as CMD; CLI11 fills
    // it only with words given without "--", which run_cli refuses.
    void command(std::vector<std::string>& value, const std::string& description) {
        app_.add_option("CMD", value, description);
        command_ = &value;
    }
    std::vector<std::string>* command_slot() const { return command_; }
    // Whether an option built here takes a value ("--id", "-w"), for command_separator.
    bool takes_value(std::string_view name) const {
        return std::find(valued_.begin(), valued_.end(), name) != valued_.end();
    }

  private:
    // Given twice (a wrapper's default, then the caller's), an option's last
    // value counts, as with getopt-based tools (flock -w 5 -w 10 waits 10 s);
    // each value is checked.
    template <typename T> static CLI::Option* added(CLI::Option* opt) {
        if constexpr (!detail::is_vector<T>)
            opt->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
        return decimal_if_integer<T>(opt);
    }
    // An integer is read in decimal only, leading zeros allowed: CLI11 alone
    // would read -E 075 as octal (61) and accept 0x4b. Checked before the
    // option's own checks (a transform goes first), so ranges see decimal.
    template <typename T> static CLI::Option* decimal_if_integer(CLI::Option* opt) {
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>)
            opt->transform(CLI::Validator(
                [](std::string& text) {
                    if (text.empty()) return std::string("must not be empty");
                    if (text.find_first_not_of("0123456789") != std::string::npos)
                        return fmt::format("not a decimal number (digits 0-9 only): {}", text);
                    text.erase(0, std::min(text.find_first_not_of('0'), text.size() - 1));
                    return std::string();
                },
                "", ""));
        return opt;
    }
    bool wanted(const std::string& names) { return words_ == nullptr || words_->may_name(names); }
    void valued(const std::string& names) { // "-w,--timeout": both; a positional "DIR": none
        for (auto name : option_names(names))
            if (name.starts_with('-')) valued_.emplace_back(name);
    }
    CLI::App& app_;
    const OptionWords* words_;
    std::vector<std::string>* command_ = nullptr;
    std::vector<std::string> valued_;
};

// a->excludes(b), if both were built.
inline void exclusive(CLI::Option* a, CLI::Option* b) {
    if (a != nullptr && b != nullptr) a->excludes(b);
}

struct Subcommand {
    const char* name;
    const char* description; // one line in `coordctl --help`
    // Adds the options to the subcommand; sets `run` to execute it. Only the
    // invoked subcommand is built (start-up time).
    void (*add)(Options& cli, std::function<int()>& run);
};

extern const Subcommand subcommands[];
extern const std::size_t subcommand_count;

} // namespace coordctl
