#include "core/liveness.hpp"

#include <fmt/format.h>

namespace coordctl {

Verdict judge_owner(const OwnerFacts& facts) {
    if (facts.lock_held) return {Liveness::alive_locked, Duration(0), {}};
    // On our own host the owner takes its lock before the name appears and
    // keeps it until it is gone, so a free lock proves it died.
    if (facts.same_host && facts.hold_entry) {
        if (facts.owner_alive) return {Liveness::alive_owner, Duration(0), {}};
        return {Liveness::stale, Duration(0), "its owner process is gone", true};
    }
    if (facts.same_host) return {Liveness::stale, Duration(0), "its process is gone", true};
    if (facts.heartbeat_age >= facts.ttl)
        return {Liveness::stale, Duration(0),
                fmt::format("no heartbeat for {} (ttl {})", format_duration(facts.heartbeat_age),
                            format_duration(facts.ttl))};
    return {Liveness::alive_lease, facts.ttl - facts.heartbeat_age, {}};
}

} // namespace coordctl
