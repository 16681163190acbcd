// The one table of subcommands.
#pragma once

#include "core/option_words.hpp"

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

namespace coordctl {

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
        return wanted(names) ? app_.add_option(names, value, description) : nullptr;
    }
    // The same, shown in help as "NAME TYPE".
    template <typename T>
    CLI::Option* option(const std::string& names, T& value, const std::string& description, const char* type) {
        auto* opt = option(names, value, description);
        return opt != nullptr ? opt->type_name(type) : nullptr;
    }
    template <typename T>
    CLI::Option* flag(const std::string& names, T& value, const std::string& description) {
        return wanted(names) ? app_.add_flag(names, value, description) : nullptr;
    }
    // Always built: CLI11 reports it when missing.
    template <typename T>
    CLI::Option* required(const std::string& names, T& value, const std::string& description) {
        return app_.add_option(names, value, description)->required();
    }

  private:
    bool wanted(const std::string& names) { return words_ == nullptr || words_->may_name(names); }
    CLI::App& app_;
    const OptionWords* words_;
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
