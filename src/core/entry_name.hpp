// The name of a wait file. It sorts in queue order and tells the entry's
// priority, fencing token and mode without opening the file:
//
//     <priority>-<token, 20 digits>-<mode>      e.g.  1-00000000000000000042-x
//
// priority: 0 = cut in line, 1 = normal (so cut entries sort first);
// mode: x = exclusive, s = shared, k<N> = one of N slots (semaphore).
// Anything else is a foreign name.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace coordctl {

enum class Priority : char { cut = '0', normal = '1' };
enum class Mode : char { exclusive = 'x', shared = 's', slots = 'k' };

inline constexpr std::uint32_t max_slots = 100000;

std::string_view mode_name(Mode mode); // "exclusive" / "shared" / "slots"

struct EntryName {
    Priority priority = Priority::normal;
    std::uint64_t token = 0;
    Mode mode = Mode::exclusive;
    std::uint32_t slots = 0; // N for Mode::slots, else 0

    std::string str() const;
    // Queue order: priority, then token (the mode never breaks a tie: tokens are unique).
    auto operator<=>(const EntryName& other) const {
        if (auto c = priority <=> other.priority; c != 0) return c;
        return token <=> other.token;
    }
    bool operator==(const EntryName& other) const = default;
};

std::optional<EntryName> parse_entry_name(std::string_view name);

// Temporary files in a queue or workers directory start with this.
inline constexpr std::string_view temporary_prefix = ".tmp-";

// A wait file being written, on a filesystem without O_TMPFILE (or /proc):
//
//     .tmp-<pid>-<16 hex digits, random>-<created, Unix seconds>
//
// The creation time lets a joiner skip the young ones (in flight) without a
// stat; only old ones are examined (and removed if their writer is gone).
std::string temporary_wait_file_name(std::int64_t pid, std::uint64_t salt, std::int64_t created_s);
// Its creation time, or nullopt for any other name.
std::optional<std::int64_t> temporary_wait_file_created(std::string_view name);

// One decimal number (20 digits in the files coordctl writes); nullopt if garbage.
std::optional<std::uint64_t> parse_token(std::string_view text);

// The token file (.token):
//
//     <high-water mark, 20 digits>\n
//     cut <token of the newest cut-in-line join, 20 digits>\n
//
// nullopt where a line is missing or garbage (files written before the cut
// line existed have only the first).
struct TokenMarks {
    std::optional<std::uint64_t> high;
    std::optional<std::uint64_t> cut;
};
TokenMarks parse_token_file(std::string_view text);
std::string format_token_file(std::uint64_t high, std::uint64_t cut);

} // namespace coordctl
