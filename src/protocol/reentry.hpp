// Re-entrant use: a command running under a hold that asks for the same
// queue again must not wait behind its own ancestor.
#pragma once

#include "os/files.hpp"

namespace coordctl {

// True if COORDCTL_DIR and COORDCTL_WAIT_FILE name a held entry of `dir` and
// this process is inside that hold: it has the entry's file open (inherited
// from the holder), or the entry's owner is one of its ancestors and alive.
bool inside_hold_of(const os::Directory& dir);

} // namespace coordctl
