#include "protocol/round.hpp"

#include "core/error.hpp"
#include "core/exit_codes.hpp"
#include "core/liveness.hpp"
#include "core/queue_order.hpp"
#include "os/terminal.hpp"

#include <fmt/format.h>

#include <cerrno>

namespace coordctl {

std::optional<Round> Rounds::read_round() {
    const auto& dir = queue_.dir();
    auto opened = dir.open_entry(round_file);
    if (opened.err == ENOENT) return std::nullopt;
    // A directory, FIFO or symbolic link there is never followed nor removed.
    if (opened.err == EINVAL || opened.err == ELOOP)
        throw Error(exit_code::cant_create, "round marker is not a regular file",
                    dir.path_of(round_file));
    if (!opened.fd) throw Error("cannot read round marker", dir.path_of(round_file), opened.err);
    auto text = os::read_small(opened.fd.get(), Round::max_size);
    auto round = text ? parse_round(*text) : std::nullopt;
    if (!round && !reported_corrupt_) {
        reported_corrupt_ = true;
        os::eprint("coordctl: warning: unreadable round marker, ignored: {}\n",
                   dir.path_of(round_file));
    }
    return round;
}

bool Rounds::alive(const EntryName& entry) {
    auto probe = queue_.probe(entry);
    if (!probe.exists) return false;
    auto verdict = judge_owner(probe.facts);
    if (verdict.liveness != Liveness::stale) return true;
    queue_.remove_stale(entry, probe, verdict);
    return false;
}

bool Rounds::some_member_alive(const Round& round, const std::vector<EntryName>& entries) {
    for (const auto& entry : members_present(entries, round))
        if (alive(entry)) return true;
    return false;
}

std::vector<EntryName> Rounds::live_entries(std::vector<EntryName> entries) {
    // Too few to seal a round whoever is alive: no need to look closer.
    if (entries.size() < count_) return entries;
    std::vector<EntryName> live;
    for (const auto& entry : entries)
        if (alive(entry)) live.push_back(entry);
    return live;
}

Round Rounds::seal(const std::vector<EntryName>& members) {
    Round round;
    for (const auto& entry : members)
        round.members.push_back(
            {entry.token, participant_id(queue_.read_record(entry), entry.token)});
    clear_marker(); // an unreadable one: ours to replace
    if (!queue_.dir().publish(round_file, format_round(round), "cannot write round marker"))
        throw Error(exit_code::cant_create, "cannot write round marker: name taken",
                    queue_.dir().path_of(round_file));
    return round;
}

void Rounds::clear_marker() {
    auto st = queue_.dir().stat_entry(round_file);
    if (st) queue_.dir().unlink_if(round_file, os::file_id(*st));
}

std::optional<Round> Rounds::running_round() {
    auto round = read_round();
    bool member_alive = round && some_member_alive(*round, queue_.entries());
    auto state = judge_marker(round, member_alive);
    if (state == MarkerState::over) clear_marker(); // everyone left or died
    if (state != MarkerState::running) return std::nullopt;
    return round;
}

std::optional<EnterResult> Rounds::enter(const JoinRequest& request) {
    queue_.prepare(request);
    auto locked = queue_.try_lock_joins();
    if (!locked) return std::nullopt;
    if (auto running = running_round())
        return EnterResult{EnterStep::round_running, nullptr, std::move(running), {}};
    auto me = queue_.join(request, *locked);
    auto entries = queue_.entries();
    for (const auto& entry : entries) { // a live entry of a lock's queue (--slots)
        auto conflict = mode_conflict({&entry, 1}, me->name());
        if (conflict.empty() || !alive(entry)) continue;
        me->leave();
        return EnterResult{EnterStep::conflict, nullptr, std::nullopt,
                           "the lock mode: " + conflict};
    }
    // Under the join lock, so that no round is ever sealed of participants
    // that disagree: whoever joins second sees the other and is refused. The
    // live entries already there agree with each other, so the first with a
    // count decides; dead ones are skipped (and removed), and entries whose
    // record has no count (older versions, unreadable) are not judged.
    for (const auto& entry : entries) {
        if (entry == me->name() || !alive(entry)) continue;
        auto record = queue_.read_record(entry);
        if (!record || record->count == 0) continue;
        if (record->count == count_) break;
        me->leave();
        return EnterResult{EnterStep::conflict, nullptr, std::nullopt,
                           fmt::format("the count: entry {} uses --count {}, this one --count {}",
                                       entry.str(), record->count, count_)};
    }
    auto decision = decide_enter(me->name(), count_, live_entries(std::move(entries)));
    switch (decision.step) {
    case EnterStep::seal: {
        auto round = seal(decision.members);
        return EnterResult{EnterStep::entered, std::move(me), std::move(round), {}};
    }
    case EnterStep::round_full:
        me->leave();
        break;
    default:
        break;
    }
    return EnterResult{decision.step, std::move(me), std::nullopt, {}};
}

std::optional<Round> Rounds::sealed_with(const Ticket& me) {
    auto round = read_round();
    if (round && round->has(me.name().token)) return round;
    return std::nullopt;
}

Rounds::Leave Rounds::leave_unless_sealed(Ticket& me) {
    auto locked = queue_.try_lock_joins();
    if (!locked) return {true, std::nullopt};
    if (auto round = sealed_with(me)) return {false, round};
    me.leave();
    return {};
}

void Rounds::close(const Round& round) {
    auto locked = queue_.try_lock_joins();
    if (!locked) return;
    if (!members_present(queue_.entries(), round).empty()) return;
    // A round is named by its first token: no other round ever has it.
    auto current = read_round();
    if (current && current->members.front().token == round.members.front().token) clear_marker();
}

} // namespace coordctl
