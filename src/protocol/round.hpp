// The rounds of a double barrier in one DIR (coordctl(1), dbarrier). The
// participants are queue entries; the current round is written down in the
// marker DIR/.round when its N-th participant enters, and removed once all
// its members have left. Every decision is taken under the queue's join
// lock, so joins, seals, leaves and the end of a round never interleave.
#pragma once

#include "core/round.hpp"
#include "protocol/queue.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <set>

namespace coordctl {

inline constexpr const char* round_file = ".round";

struct EnterResult {
    EnterStep step = EnterStep::wait; // wait, entered, round_running, round_full, conflict or lost
    std::unique_ptr<Ticket> ticket;   // my entry, unless refused
    std::optional<Round> round;       // entered: the round; round_running: the one running
    std::string conflict; // conflict: on what ("the count: entry ... uses --count 3, ...")
};

class Rounds {
  public:
    Rounds(Queue& queue, std::size_t count) : queue_(queue), count_(count) {}

    // Joins and decides, in one step under the join lock: refused while a
    // round is running (nothing joined); else joins, and seals the round if
    // I complete it. A marker whose members are all gone is cleared first.
    // For round_full my entry has already been removed again. Nothing (and
    // nothing done) if the join lock stays taken: try again later.
    std::optional<EnterResult> enter(const JoinRequest& request);
    // Cheap, without the lock, after a wake-up: the round that was sealed with me in it.
    std::optional<Round> sealed_with(const Ticket& me);
    // Gives up before entering (timeout): removes my entry, unless the round
    // was sealed with me in it already; then returns that round instead.
    // busy: the join lock stays taken, nothing done: try again later.
    struct Leave {
        bool busy = false;
        std::optional<Round> round;
    };
    Leave leave_unless_sealed(Ticket& me);
    // Once no member of `round` has an entry left: removes the marker if it
    // is still this round's (a newer round's marker is left alone). If the
    // join lock stays taken, the marker stays too: the next enter clears a
    // marker whose members are all gone.
    void close(const Round& round);
    const std::string& dir_path() const { return queue_.dir().path(); }
    std::size_t count() const { return count_; }

  private:
    std::optional<Round> read_round();
    std::optional<Round> running_round();
    bool some_member_alive(const Round& round, const std::vector<EntryName>& entries);
    std::vector<EntryName> live_entries(std::vector<EntryName> entries);
    bool alive(const EntryName& entry);
    Round seal(const std::vector<EntryName>& members);
    void clear_marker();

    Queue& queue_;
    std::size_t count_;
    bool reported_corrupt_ = false;
};

} // namespace coordctl
