#include "core/duration.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cmath>

namespace coordctl {

namespace {

constexpr double max_ms = 10.0 * 366 * 24 * 3600 * 1000;

// Reads "digits[.digits]" from the front of text; nullopt if there is none.
std::optional<double> take_number(std::string_view& text) {
    size_t i = 0;
    double value = 0;
    bool digits = false;
    for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
        value = value * 10 + (text[i] - '0');
        digits = true;
    }
    if (i < text.size() && text[i] == '.') {
        double scale = 0.1;
        for (++i; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
            value += (text[i] - '0') * scale;
            scale /= 10;
            digits = true;
        }
    }
    if (!digits || value > max_ms) return std::nullopt;
    text.remove_prefix(i);
    return value;
}

// Reads a unit from the front of text and returns its length in ms.
std::optional<double> take_unit(std::string_view& text) {
    struct Unit {
        std::string_view name;
        double ms;
    };
    // "ms" before "m" so that the longer unit wins.
    static constexpr Unit units[] = {{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}};
    for (const auto& unit : units) {
        if (text.substr(0, unit.name.size()) == unit.name) {
            text.remove_prefix(unit.name.size());
            return unit.ms;
        }
    }
    return std::nullopt;
}

} // namespace

std::optional<Duration> parse_duration(std::string_view text) {
    if (text.empty()) return std::nullopt;
    std::string_view rest = text;
    auto number = take_number(rest);
    if (!number) return std::nullopt;
    double total = 0;
    if (rest.empty()) {
        total = *number * 1000; // bare number: seconds
    } else {
        while (true) {
            auto unit = take_unit(rest);
            if (!unit) return std::nullopt;
            total += *number * *unit;
            if (rest.empty()) break;
            number = take_number(rest);
            if (!number) return std::nullopt;
        }
    }
    if (total > max_ms) return std::nullopt;
    // Round, not truncate: "1.001" is 1000.9999999999999 ms in binary floating point.
    auto ms = std::llround(total);
    if (total > 0 && ms == 0) ms = 1; // "0.0001" is a positive duration, not zero
    return Duration(ms);
}

std::string format_duration(Duration d) {
    long long ms = d.count() < 0 ? 0 : d.count();
    if (ms < 1000) return fmt::format("{}ms", ms);
    long long s = ms / 1000;
    if (s < 60) return fmt::format("{}s", s);
    if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
    return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

} // namespace coordctl
