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
    {"lock", add_lock_command},
    {"lease-touch", add_lease_touch_command},
    {"elect", add_elect_command},
    {"barrier", add_barrier_command},
    {"dbarrier", add_dbarrier_command},
    {"workers", add_workers_command},
    {"status", add_status_command},
};
const std::size_t subcommand_count = std::size(subcommands);

} // namespace coordctl
