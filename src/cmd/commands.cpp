#include "cmd/commands.hpp"

#include "cmd/barrier.hpp"
#include "cmd/dbarrier.hpp"
#include "cmd/elect.hpp"
#include "cmd/lease_touch.hpp"
#include "cmd/lock.hpp"
#include "cmd/status.hpp"
#include "cmd/workers.hpp"

namespace coordctl {

const Subcommand subcommands[] = {
    {"lock", "Run a command while holding a fair, crash-safe lock on DIR", add_lock_command},
    {"lease-touch", "Refresh the heartbeat of wait files (leases)", add_lease_touch_command},
    {"elect", "Run a command only while elected leader of DIR", add_elect_command},
    {"barrier", "Set, unset or wait for a persistent barrier: set while the file PATH exists", add_barrier_command},
    {"dbarrier", "Double barrier: N participants run a command together and leave together", add_dbarrier_command},
    {"workers", "Share tasks among worker processes; run CMD {} for each", add_workers_command},
    {"status", "Show every entry of DIR: order, owner, age, liveness", add_status_command},
};
const std::size_t subcommand_count = std::size(subcommands);

} // namespace coordctl
