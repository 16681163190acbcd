#include "core/round.hpp"

#include "core/json_field.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace coordctl {

using nlohmann::json;

bool Round::has(std::uint64_t token) const {
    auto it = std::lower_bound(members.begin(), members.end(), token,
                               [](const Participant& p, std::uint64_t t) { return p.token < t; });
    return it != members.end() && it->token == token;
}

std::string format_round(const Round& round) {
    json members = json::array();
    for (const auto& p : round.members)
        members.push_back({{"token", p.token}, {"id", p.id}});
    json j = {{"version", round.version}, {"members", members}};
    return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

namespace {

std::optional<Participant> parse_participant(const json& j) {
    Participant p;
    if (!j.is_object() || !take_field(j, "token", p.token) || !take_field(j, "id", p.id))
        return std::nullopt;
    if (p.token == 0 || !valid_participant_id(p.id)) return std::nullopt;
    return p;
}

} // namespace

std::optional<Round> parse_round(std::string_view text) {
    if (text.size() > Round::max_size) return std::nullopt;
    json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
    Round round;
    if (!j.is_object() || !take_field(j, "version", round.version) ||
        round.version != Round::current_version)
        return std::nullopt;
    auto members = j.find("members");
    if (members == j.end() || !members->is_array() || members->empty()) return std::nullopt;
    for (const auto& m : *members) {
        auto p = parse_participant(m);
        if (!p || (!round.members.empty() && p->token <= round.members.back().token))
            return std::nullopt;
        round.members.push_back(*p);
    }
    return round;
}

bool valid_participant_id(std::string_view id) {
    if (id.empty()) return false;
    return std::none_of(id.begin(), id.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return u <= ' ' || u == 0x7F;
    });
}

std::string participant_id(const std::optional<Record>& record, std::uint64_t token) {
    if (!record) return std::to_string(token);
    if (valid_participant_id(record->label)) return record->label;
    std::string id = fmt::format("{}@{}", record->pid, record->host);
    return valid_participant_id(id) ? id : std::to_string(token);
}

std::string participants_list(const Round& round) {
    std::string list;
    for (const auto& p : round.members) {
        if (!list.empty()) list += ' ';
        list += p.id;
    }
    return list;
}

MarkerState judge_marker(const std::optional<Round>& round, bool member_alive) {
    if (!round) return MarkerState::none;
    return member_alive ? MarkerState::running : MarkerState::over;
}

EnterDecision decide_enter(const EntryName& me, std::size_t count,
                           const std::vector<EntryName>& live) {
    if (std::find(live.begin(), live.end(), me) == live.end()) return {EnterStep::lost, {}};
    if (live.size() < count) return {EnterStep::wait, {}};
    std::vector<EntryName> members(live.begin(), live.begin() + static_cast<std::ptrdiff_t>(count));
    if (std::find(members.begin(), members.end(), me) == members.end())
        return {EnterStep::round_full, {}};
    return {EnterStep::seal, members};
}

std::vector<EntryName> members_present(const std::vector<EntryName>& entries, const Round& round) {
    std::vector<EntryName> present;
    for (const auto& e : entries)
        if (round.has(e.token)) present.push_back(e);
    return present;
}

} // namespace coordctl
