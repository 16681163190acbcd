// Barriers (coordctl(1), barrier): set while a regular file exists at PATH,
// created fully written and never followed if PATH is a symbolic link. A
// barrier outlives its setter; waiters are woken by a watch on the file.
#pragma once

#include "core/barrier.hpp"
#include "core/duration.hpp"
#include "os/files.hpp"
#include "os/loop.hpp"
#include "protocol/waiter.hpp"

#include <functional>
#include <optional>
#include <string>

namespace coordctl {

// What is at `name` in `dir` now. Throws nothing: an unreadable file is
// seen with empty content.
BarrierSight look_at_barrier(const os::Directory& dir, const std::string& name);

// Throws Error(73): something other than a regular file is at PATH.
[[noreturn]] void not_a_barrier(const std::string& path);

struct SetOutcome {
    bool created = false;
    BarrierSight existing; // when not created: the barrier already there
};

// Creates the barrier file (and missing parent directories). Throws Error
// if something other than a regular file is at PATH, or on failure.
SetOutcome set_barrier(const BarrierPath& where);
// Removes the barrier file. False if it was not set. Throws Error as set.
// Both throw Error(73) if something other than a regular file is at PATH.
bool unset_barrier(const BarrierPath& where);

// Waits until the barrier found set is lifted (see barrier_lifted), or the
// timeout expires. The watch is armed before each look, so an unset between
// a look and the next event cannot be missed.
class BarrierWait {
  public:
    // options.timeout: none waits forever, zero gives up at once.
    BarrierWait(os::Loop& loop, const os::Directory& dir, std::string name, WaitOptions options,
                std::function<void(bool lifted)> done);
    void start(BarrierSight found);

  private:
    void arm_and_look();
    void arm_and_look_soon(); // from the watch's own callback: not while it runs
    void finish(bool lifted);

    const os::Directory& dir_;
    std::string name_;
    WaitOptions options_;
    std::function<void(bool)> done_;
    BarrierSight found_;
    os::FileWatch watch_;
    os::Timer soon_;
    os::Timer deadline_;
};

} // namespace coordctl
