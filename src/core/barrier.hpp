// A barrier (coordctl barrier): set while a regular file exists at PATH.
// The file's content says who set it. Pure: the caller reads the file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace coordctl {

// PATH split into the directory that holds the barrier file and its name.
struct BarrierPath {
    std::string dir;  // "." when PATH has no slash, "/" for "/name"
    std::string name; // a plain file name
    std::string path; // PATH as given, for messages
};

// nullopt if PATH names no file: empty, ending in a slash, or its last
// component is "." or "..".
std::optional<BarrierPath> split_barrier_path(std::string_view path);

struct BarrierRecord {
    static constexpr int current_version = 1;
    static constexpr std::size_t max_size = 64 * 1024;

    int version = current_version;
    std::int64_t pid = 0;        // the process that ran `coordctl barrier set`
    std::string host;            // its hostname
    std::int64_t created_ms = 0; // Unix time in milliseconds

    bool operator==(const BarrierRecord&) const = default;
};

std::string format_barrier_record(const BarrierRecord& record);
// nullopt for anything that is not a well-formed record of a known version
// (a barrier set with `touch` is still a barrier, only an anonymous one).
std::optional<BarrierRecord> parse_barrier_record(std::string_view text);

// "by 1234@host 5s ago", or "" when the setter is unknown.
std::string describe_setter(const std::optional<BarrierRecord>& record, std::int64_t now_ms);

// What a look at PATH found.
struct BarrierSight {
    bool present = false; // something is there
    bool regular = false; // ... and it is a regular file (a barrier)
    std::uint64_t dev = 0;
    std::uint64_t ino = 0;
    std::int64_t born_ns = 0; // birth time (statx), 0 where the filesystem has none
    std::string content;

    bool operator==(const BarrierSight&) const = default;
};

// Is the barrier a waiter found set (`found`) lifted, judging by what is at
// PATH `now`? Yes if PATH is empty, and also if it holds another file: the
// barrier was unset and set again before the waiter looked. An inode number
// may be reused at once, so a barrier set by coordctl (whose record names
// the setter and the time) is also told apart by its content; one made by
// other means (`touch`, `echo >`) by its file alone, since it may still be
// being written: its birth time, where the filesystem keeps one, tells a
// new file on a reused inode.
bool barrier_lifted(const BarrierSight& found, const BarrierSight& now);

} // namespace coordctl
