#include "core/progress.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace coordctl {

std::string describe_owner(const std::optional<Record>& record) {
    if (!record) return "an unknown owner";
    std::string label = record->label.empty() ? "" : fmt::format(" [{}]", printable(record->label));
    std::string what = record->hold ? "held with --hold" : command_line(record->command);
    return fmt::format("{}@{}{} ({})", record->pid, printable(record->host), label, what);
}

std::string format_wait_status(const std::string& dir, const WaitStatus& status) {
    return fmt::format("waiting for {}: position {} ({} ahead), held by {} for {}", dir,
                       status.position, status.ahead, status.holder,
                       format_duration(status.holder_age));
}

std::string format_fill_status(const std::string& dir, std::size_t entered, std::size_t count,
                               Duration waited) {
    return fmt::format("waiting for {}: {} of {} participants have entered ({})", dir,
                       std::min(entered, count), count, format_duration(waited));
}

std::string format_drain_status(const std::string& dir, std::size_t not_done, std::size_t count,
                                Duration waited) {
    return fmt::format("waiting for {}: {} of {} members not done yet ({})", dir, not_done, count,
                       format_duration(waited));
}

std::string format_barrier_status(const std::string& path, const std::string& setter) {
    return fmt::format("waiting for barrier {} to be lifted{}{}", path,
                       setter.empty() ? "" : ", set ", setter);
}

namespace {
// The code point at s[i] and its length in bytes; a byte that does not
// start a valid sequence stands for itself (one column, as a terminal
// shows a replacement character).
std::pair<char32_t, std::size_t> decode_utf8(std::string_view s, std::size_t i) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char lead = byte(i);
    std::size_t length = lead < 0x80           ? 1
                         : (lead >> 5) == 0x6  ? 2
                         : (lead >> 4) == 0xE  ? 3
                         : (lead >> 3) == 0x1E ? 4
                                               : 0;
    if (length <= 1 || i + length > s.size()) return {lead, 1};
    char32_t c = lead & (0x7F >> length);
    for (std::size_t k = 1; k < length; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return {lead, 1};
        c = (c << 6) | (byte(i + k) & 0x3F);
    }
    // Overlong forms, surrogates and what lies beyond Unicode are shown byte
    // by byte (a replacement character each).
    static constexpr char32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
    if (c < least[length] || (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF) return {lead, 1};
    return {c, length};
}

// Columns a terminal gives a code point: 0 for combining marks and
// zero-width ones, 2 for East Asian wide and fullwidth characters and
// emoji (the main blocks of Unicode's East_Asian_Width W and F), else 1.
std::size_t columns_of(char32_t c) {
    struct Range {
        char32_t first, last;
    };
    static constexpr Range zero[] = {{0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD},
                                     {0x0610, 0x061A}, {0x064B, 0x065F}, {0x200B, 0x200F},
                                     {0x20D0, 0x20FF}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}};
    static constexpr Range wide[] = {
        {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},
        {0x23F0, 0x23F0},   {0x23F3, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},
        {0x2648, 0x2653},   {0x267F, 0x267F},   {0x2693, 0x2693},   {0x26A1, 0x26A1},
        {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},   {0x26CE, 0x26CE},
        {0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F3},   {0x26F5, 0x26F5},
        {0x26FA, 0x26FA},   {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},
        {0x2728, 0x2728},   {0x274C, 0x274C},   {0x274E, 0x274E},   {0x2753, 0x2755},
        {0x2757, 0x2757},   {0x2795, 0x2797},   {0x27B0, 0x27B0},   {0x27BF, 0x27BF},
        {0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},   {0x2E80, 0x303E},
        {0x3041, 0x33FF},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},
        {0xA960, 0xA97F},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE10, 0xFE19},
        {0xFE30, 0xFE6F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x16FE0, 0x18CFF},
        {0x1B000, 0x1B2FF}, {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF}, {0x1F18E, 0x1F18E},
        {0x1F191, 0x1F19A}, {0x1F200, 0x1F251}, {0x1F300, 0x1F64F}, {0x1F680, 0x1F6FF},
        {0x1F7E0, 0x1F7EB}, {0x1F900, 0x1F9FF}, {0x1FA70, 0x1FAFF}, {0x20000, 0x3FFFD}};
    auto in = [c](const auto& ranges) {
        return std::any_of(std::begin(ranges), std::end(ranges),
                           [c](Range r) { return r.first <= c && c <= r.last; });
    };
    return in(zero) ? 0 : in(wide) ? 2 : 1;
}
} // namespace

std::string fit_to_width(std::string_view line, std::size_t columns) {
    if (columns == 0) return std::string(line);
    std::size_t room = columns - 1;
    std::string_view ellipsis = room >= 3 ? "..." : "";
    // `cut`: the end of the longest start that leaves room for the ellipsis,
    // never between a character and a mark or U+FE0F that goes with it.
    std::size_t width = 0, cut = 0, last = 0; // last: the previous character's columns
    for (std::size_t i = 0; i < line.size();) {
        auto [c, length] = decode_utf8(line, i);
        std::size_t w = columns_of(c);
        // U+FE0F (emoji presentation) makes most terminals draw a narrow
        // character before it two columns wide, some one: it adds one, so
        // that the pair is never undercounted.
        if (c == 0xFE0F && last == 1) w = 1;
        if (w != 0 && c != 0xFE0F && width <= room - ellipsis.size()) cut = i;
        if (c != 0xFE0F) last = w;
        width += w;
        if (width > room) return std::string(line.substr(0, cut)).append(ellipsis);
        i += length;
    }
    return std::string(line);
}

} // namespace coordctl
