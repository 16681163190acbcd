#include "core/entry_name.hpp"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <charconv>
#include <limits>

namespace coordctl {

namespace {
constexpr size_t token_digits = 20;
constexpr size_t mode_start = 1 + 1 + token_digits + 1;

// "x", "s" or "k<N>" with 1 <= N <= max_slots and no leading zero.
bool parse_mode(std::string_view text, EntryName& entry) {
    if (text == "x" || text == "s") {
        entry.mode = static_cast<Mode>(text[0]);
        return true;
    }
    if (text.size() < 2 || text[0] != 'k' || text[1] == '0') return false;
    auto digits = text.substr(1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), entry.slots);
    if (ec != std::errc() || end != digits.data() + digits.size() || entry.slots > max_slots)
        return false;
    entry.mode = Mode::slots;
    return true;
}

} // namespace

std::string_view mode_name(Mode mode) {
    switch (mode) {
    case Mode::shared: return "shared";
    case Mode::slots: return "slots";
    default: return "exclusive";
    }
}

std::string EntryName::str() const {
    std::string name = fmt::format(FMT_COMPILE("{}-{:020}-{}"), static_cast<char>(priority), token,
                                   static_cast<char>(mode));
    if (mode == Mode::slots) name += std::to_string(slots);
    return name;
}

std::optional<EntryName> parse_entry_name(std::string_view name) {
    if (name.size() <= mode_start || name[1] != '-' || name[2 + token_digits] != '-')
        return std::nullopt;
    EntryName entry;
    switch (name[0]) {
    case '0': entry.priority = Priority::cut; break;
    case '1': entry.priority = Priority::normal; break;
    default: return std::nullopt;
    }
    if (!parse_mode(name.substr(mode_start), entry)) return std::nullopt;
    // Every waiter reads every name at each look: a plain loop, not from_chars.
    std::uint64_t token = 0;
    for (size_t i = 0; i < token_digits; ++i) {
        char c = name[2 + i];
        if (c < '0' || c > '9') return std::nullopt;
        auto digit = static_cast<std::uint64_t>(c - '0');
        // 19 digits always fit in 64 bits; only the 20th can overflow.
        if (i + 1 == token_digits && token > (std::numeric_limits<std::uint64_t>::max() - digit) / 10)
            return std::nullopt;
        token = token * 10 + digit;
    }
    if (token == 0) return std::nullopt;
    entry.token = token;
    return entry;
}

std::string temporary_wait_file_name(std::int64_t pid, std::uint64_t salt, std::int64_t created_s) {
    return fmt::format("{}{}-{:016x}-{}", temporary_prefix, pid, salt, created_s);
}

std::optional<std::int64_t> temporary_wait_file_created(std::string_view name) {
    // A decimal number without sign or leading zero, consumed up to `stop`
    // (from_chars takes a '-', but `stop` or the check below keeps it out).
    auto number = [&name](char stop) -> std::optional<std::int64_t> {
        auto end = name.find(stop);
        auto digits = name.substr(0, end);
        if (digits.empty() || (digits.size() > 1 && digits[0] == '0')) return std::nullopt;
        std::int64_t value = 0;
        auto [last, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        if (ec != std::errc() || last != digits.data() + digits.size()) return std::nullopt;
        name.remove_prefix(end == std::string_view::npos ? name.size() : end + 1);
        return value;
    };
    if (!name.starts_with(temporary_prefix)) return std::nullopt;
    name.remove_prefix(temporary_prefix.size());
    if (!number('-')) return std::nullopt; // pid
    constexpr size_t salt_digits = 16;
    if (name.size() < salt_digits + 1 || name[salt_digits] != '-' ||
        name.substr(0, salt_digits).find_first_not_of("0123456789abcdef") != std::string_view::npos)
        return std::nullopt;
    name.remove_prefix(salt_digits + 1);
    if (name.find('-') != std::string_view::npos) return std::nullopt;
    return number('\0');
}

std::optional<std::uint64_t> parse_token(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
    if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos)
        return std::nullopt;
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

TokenMarks parse_token_file(std::string_view text) {
    constexpr std::string_view cut_prefix = "cut ";
    TokenMarks marks;
    auto end = text.find('\n');
    marks.high = parse_token(text.substr(0, end));
    if (end == std::string_view::npos) return marks;
    auto rest = text.substr(end + 1);
    if (!rest.starts_with(cut_prefix)) return marks;
    rest.remove_prefix(cut_prefix.size());
    marks.cut = parse_token(rest.substr(0, rest.find('\n')));
    return marks;
}

std::string format_token_file(std::uint64_t high, std::uint64_t cut) {
    return fmt::format("{:020}\ncut {:020}\n", high, cut);
}

} // namespace coordctl
