// A round of a double barrier (coordctl dbarrier): the N participants that
// run the command together. Its members are fixed, and written down in the
// round marker, when the N-th participant enters. Pure: the caller reads the
// directory, judges liveness and passes the facts in.
#pragma once

#include "core/entry_name.hpp"
#include "core/record.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace coordctl {

struct Participant {
    std::uint64_t token = 0;
    std::string id;
    bool operator==(const Participant&) const = default;
};

struct Round {
    static constexpr int current_version = 1;
    static constexpr std::size_t max_size = 16 * 1024 * 1024;

    int version = current_version;
    std::vector<Participant> members; // in token order (strictly increasing)

    bool has(std::uint64_t token) const;
    bool operator==(const Round&) const = default;
};

std::string format_round(const Round& round);
// nullopt unless a well-formed round of a known version: at least one
// member, tokens strictly increasing, every id valid.
std::optional<Round> parse_round(std::string_view text);

// An id is one word: not empty, no whitespace or control characters (ids
// are joined with spaces in COORDCTL_PARTICIPANTS).
bool valid_participant_id(std::string_view id);
// The participant's --id, else "pid@host"; the token if the record is unreadable.
std::string participant_id(const std::optional<Record>& record, std::uint64_t token);
// The ids, in token order, separated by single spaces.
std::string participants_list(const Round& round);

enum class EnterStep {
    wait,          // fewer than N participants: wait for more
    seal,          // I complete the round: write it down (members below)
    entered,       // the round was sealed with me in it: run the command
    round_running, // a round is running and I am not in it: error
    round_full,    // N others entered before me: error
    conflict,      // a participant waits for another N, or an entry of another lock mode: error
                   // (Rounds::enter)
    lost,          // my own entry is gone
};

// Before joining: a round is running while some member still has a live
// entry; a newcomer is then refused (not queued for the next round). Once
// none has, the marker is left over from a finished round.
enum class MarkerState { none, running, over };
MarkerState judge_marker(const std::optional<Round>& round, bool member_alive);

struct EnterDecision {
    EnterStep step = EnterStep::wait;
    std::vector<EntryName> members; // for seal: the first N live entries
};

// Just after joining, no round running: `me` is my entry, `live` the live
// entries in queue order (mine included). When there are fewer entries than
// `count` the caller may pass them unprobed: no round can be sealed anyway.
EnterDecision decide_enter(const EntryName& me, std::size_t count,
                           const std::vector<EntryName>& live);

// The entries (in queue order) that belong to members of `round`: those that
// have not finished their command yet (or died without being cleared).
std::vector<EntryName> members_present(const std::vector<EntryName>& entries, const Round& round);

} // namespace coordctl
