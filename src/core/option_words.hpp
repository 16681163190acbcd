// The option words of a subcommand's command line, read before any CLI11
// option is built: building one costs thousands of instructions (its
// constructor, then a comparison with every option built before it), which
// made up most of an uncontended `lock -- true`'s own work. The subcommand
// builds only the options these words can name. CLI11 then parses exactly as
// if all were there: it only ever looks up the names it is given, and a word
// that names no option is reported the same way (tests/unit/test_cli_options).
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>
#include <vector>

namespace coordctl {

class OptionWords {
  public:
    // `args`: the subcommand's arguments (what follows its name).
    explicit OptionWords(const std::vector<std::string_view>& args);

    // Whether an option with these CLI11 names ("-w,--timeout", "--cut{line}",
    // or a positional "DIR": always) can be named by the words.
    bool may_name(std::string_view names) const;
    // Help may be asked for: every option must be built to be shown.
    bool help() const { return help_; }

  private:
    std::vector<std::string_view> words_; // "--name" (before any '='), or "-abc"
    bool help_ = false;
};

// The names in CLI11's names of one option: "-w,--timeout" gives "-w" and
// "--timeout", "--cut{line}" gives "--cut" (a flag's value when given alone),
// a positional "DIR" gives "DIR".
std::vector<std::string_view> option_names(std::string_view names);

// Where a subcommand's own words end: the index in `args` of the first "--"
// that is not an option's value (CLI11 takes the word after an option that
// needs one as its value, "--" included: `--id --`), or args.size() if none.
// `takes_value("--id")`, `takes_value("-w")`: whether that option needs one.
std::size_t command_separator(const std::vector<std::string_view>& args,
                              const std::function<bool(std::string_view)>& takes_value);

} // namespace coordctl
