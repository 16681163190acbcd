#include "core/option_words.hpp"

namespace coordctl {

namespace {

bool is_long(std::string_view word) { return word.size() > 2 && word.starts_with("--"); }
bool is_short(std::string_view word) { return word.size() > 1 && word[0] == '-' && word[1] != '-'; }

} // namespace

// Words after "--" are read too: they are the command's, unless CLI11 took
// that "--" as an option's value (`-c --`). Building an option they seem to
// name, or every option for a help word among them, is only slower.
OptionWords::OptionWords(const std::vector<std::string_view>& args) {
    for (auto word : args) {
        if (is_long(word)) {
            word = word.substr(0, word.find('='));
            help_ = help_ || word == "--help";
        } else if (is_short(word)) {
            // A group of flags, or an option and its value ("-w5s"): CLI11
            // looks up each letter it reaches, so every letter counts.
            help_ = help_ || word.find('h') != std::string_view::npos;
        } else {
            continue; // "--", a value or a positional argument
        }
        words_.push_back(word);
    }
}

std::vector<std::string_view> option_names(std::string_view names) {
    std::vector<std::string_view> each;
    while (!names.empty()) {
        auto comma = names.find(',');
        auto name = names.substr(0, comma);
        names = comma == std::string_view::npos ? std::string_view{} : names.substr(comma + 1);
        each.push_back(name.substr(0, name.find('{')));
    }
    return each;
}

bool OptionWords::may_name(std::string_view names) const {
    if (!names.starts_with('-')) return true; // positional
    for (auto name : option_names(names)) {
        for (auto word : words_) {
            if (is_long(name) ? word == name
                              : is_short(word) && word.find(name[1], 1) != std::string_view::npos)
                return true;
        }
    }
    return false;
}

std::size_t command_separator(const std::vector<std::string_view>& args,
                              const std::function<bool(std::string_view)>& takes_value) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        auto word = args[i];
        if (word == "--") return i;
        if (is_long(word)) {
            if (word.find('=') == std::string_view::npos && takes_value(word)) ++i;
        } else if (is_short(word)) {
            // "-nq" flags, "-w5" an option and its value, "-nw" then the value next.
            for (std::size_t j = 1; j < word.size(); ++j) {
                char name[] = {'-', word[j]};
                if (!takes_value(std::string_view(name, 2))) continue;
                if (j + 1 == word.size()) ++i;
                break;
            }
        }
    }
    return args.size();
}

} // namespace coordctl
