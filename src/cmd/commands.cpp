#include "cmd/commands.hpp"

#include "cmd/barrier.hpp"
#include "cmd/dbarrier.hpp"
#include "cmd/lock.hpp"

namespace coordctl {

const Subcommand subcommands[] = {
    {"lock", add_lock_command},
    {"barrier", add_barrier_command},
    {"dbarrier", add_dbarrier_command},
};
const std::size_t subcommand_count = std::size(subcommands);

} // namespace coordctl
