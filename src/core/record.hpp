// The content of a wait file: one JSON object, written before the name is
// published. Field names are stable (documented in coordctl-protocol(7)).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace coordctl {

struct Record {
    static constexpr int current_version = 1;
    // Files larger than this are not parsed (garbage, or hostile).
    static constexpr std::size_t max_size = 64 * 1024;
    // What a record holds of the command and the label, so that it stays
    // well under max_size even with every byte escaped (\u00XX).
    static constexpr std::size_t max_command_size = 4096;
    static constexpr std::size_t max_label_size = 1024;

    int version = current_version;
    std::uint64_t token = 0;
    std::string mode;             // "exclusive" / "shared" / "slots"
    std::int64_t pid = 0;         // the coordctl process that owns the entry
    std::string host;             // hostname
    std::string boot_id;          // /proc/sys/kernel/random/boot_id
    std::uint64_t pid_start = 0;  // owner's start time, clock ticks after boot
    std::int64_t created_ms = 0;  // Unix time in milliseconds
    std::int64_t ttl_ms = 0;      // lease TTL for other hosts
    std::vector<std::string> command; // as record_command keeps it
    std::string label;                // --id (at most max_label_size bytes)
    bool hold = false;            // lock --hold: pid is the owner process, not a coordctl
    std::uint64_t count = 0;      // dbarrier --count (0: not a dbarrier entry, or unknown)
    std::int64_t held_ms = 0;     // Unix ms when granted; 0 while waiting

    bool operator==(const Record&) const = default;
};

// The command as a record keeps it: its words up to Record::max_command_size
// bytes (counting 3 per word for the quotes and comma), the last one cut at
// a UTF-8 character boundary if need be, then "..." if anything was left out.
std::vector<std::string> record_command(const std::vector<std::string>& command);

// The JSON text. token and held_ms are padded with spaces so that they can
// be filled in place (see Slot), without changing the file's size: the token
// once it is taken, held_ms once granted. With ahead_width > 0 (slots) it
// also has "ahead", null padded to that width, filled at the grant with the
// names of the entries then ahead (format_ahead).
std::string format_record(const Record& record, std::size_t ahead_width = 0);

// Where a padded value starts in format_record's text, and its width.
struct Slot {
    std::size_t offset = 0;
    std::size_t width = 0;
};
Slot token_slot(const std::string& text);
Slot held_ms_slot(const std::string& text);
Slot ahead_slot(const std::string& text);
// "ahead"'s width for `count` names of `name_size` characters; 0 (no field)
// beyond ahead_max_width.
std::size_t ahead_width(std::size_t count, std::size_t name_size);
constexpr std::size_t ahead_max_width = 4096;
// The names as a JSON array padded to `width`; empty if they do not fit.
std::string format_ahead(const std::vector<std::string>& names, std::size_t width);
// The value to write there: exactly `width` characters (cut if longer).
std::string slot_text(std::uint64_t value, std::size_t width);

// nullopt for anything that is not a well-formed record of a known version.
std::optional<Record> parse_record(std::string_view text);

// What a wait file says about its grant, read without building the record:
// on the path from a holder's exit to the next holder's command, where
// parse_record's whole object costs about twice the instructions.
struct GrantFacts {
    std::uint64_t token = 0;
    std::int64_t held_ms = 0; // 0 (or absent): not granted
    bool operator==(const GrantFacts&) const = default;
};
// nullopt for text that is not one JSON object, or of another version, or
// whose token or held_ms (or version) parse_record would reject. Fields it
// does not need are not checked: on text parse_record accepts, both agree.
std::optional<GrantFacts> parse_grant_facts(std::string_view text);

// What a granted slots entry recorded (its token, and "ahead" once filled
// in); nullopt for anything else: not a record of this version, "ahead"
// still null, absent, or not an array of strings.
struct SlotsGrant {
    std::uint64_t token = 0;
    std::vector<std::string> ahead;
};
std::optional<SlotsGrant> parse_slots_grant(std::string_view text);

// The command as one line for humans: words joined by spaces, "(none)" if
// empty, each word printable().
std::string command_line(const std::vector<std::string>& command);
// Text from a record (label, host, command word) as one line for a terminal:
// control characters escaped as \n, \t, \r or \xNN (C1 controls, U+0080 to
// U+009F in UTF-8, as \xc2\xNN), a backslash doubled (a backslash typed
// before an n stays apart from a newline); the rest unchanged. Such text
// is valid UTF-8 (records are written with U+FFFD for bytes that are not,
// and do not parse otherwise), so no lone byte 0x80-0x9f is left to escape.
std::string printable(std::string_view text);
// A message as one line: control characters escaped as printable does (a
// newline in a DIR's name shows as \n), backslashes left as they are, so
// that text already printable() passes unchanged.
std::string one_line(std::string_view text);

} // namespace coordctl
