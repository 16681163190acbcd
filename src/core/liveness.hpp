// Is the owner of a queue entry still there? Pure decision over facts the
// caller gathered (see SPEC §2 and coordctl-protocol(7)).
#pragma once

#include "core/duration.hpp"

#include <string>

namespace coordctl {

struct OwnerFacts {
    bool lock_held = false;  // someone holds a kernel lock on the wait file
    bool same_host = false;  // record readable and written on this host and boot
    bool hold_entry = false; // left by lock --hold: its owner is a process, not a coordctl
    bool owner_alive = false; // for hold entries: the owner pid lives with its recorded start time
    Duration heartbeat_age{0}; // now - the file's mtime
    Duration ttl{0};           // the entry's lease TTL (default if the record is unreadable)
};

enum class Liveness {
    alive_locked, // wait on its kernel lock: it is released the moment the owner dies
    alive_owner,  // a --hold entry whose owner process lives: wait for it to exit or the file to go
    alive_lease,  // no lock to wait on (other host, unreadable record): recheck later
    stale,        // owner proven gone: remove the entry
};

struct Verdict {
    Liveness liveness = Liveness::alive_locked;
    Duration recheck_in{0}; // for alive_lease: when the lease would expire
    std::string reason;     // for stale: why, for the warning
    // For stale: the owner is known to be gone (this host: its lock is free,
    // or its --hold process exited), not merely silent for a TTL (another
    // host's owner may still run, and learns of its loss by the removal).
    bool proven = false;
};

Verdict judge_owner(const OwnerFacts& facts);

} // namespace coordctl
