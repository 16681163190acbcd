// Re-entrant use: a command running under a hold that asks for the same
// queue again must not wait behind its own ancestor.
#pragma once

#include "core/entry_name.hpp"
#include "os/files.hpp"

#include <optional>

namespace coordctl {

// The held entry, if COORDCTL_DIR and COORDCTL_WAIT_FILE name one of `dir`
// and this process is inside that hold: it has the entry's file open
// (inherited from the holder), or the entry's owner is one of its ancestors
// and alive.
std::optional<EntryName> inside_hold_of(const os::Directory& dir);

} // namespace coordctl
