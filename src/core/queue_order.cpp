#include "core/queue_order.hpp"

#include <algorithm>

namespace coordctl {

WaitPlan plan_wait(const std::vector<EntryName>& entries, const EntryName& me) {
    WaitPlan plan;
    auto mine = std::lower_bound(entries.begin(), entries.end(), me);
    if (mine == entries.end() || !(*mine == me)) return plan;
    plan.present = true;
    plan.ahead = static_cast<std::size_t>(mine - entries.begin());
    plan.position = plan.ahead + 1;
    plan.head = entries.front();
    if (me.mode == Mode::exclusive) {
        if (plan.ahead > 0) plan.blocker = *(mine - 1);
    } else {
        auto is_exclusive = [](const EntryName& e) { return e.mode == Mode::exclusive; };
        auto rit = std::find_if(std::make_reverse_iterator(mine), entries.rend(), is_exclusive);
        if (rit != entries.rend()) plan.blocker = *rit;
    }
    plan.granted = !plan.blocker.has_value();
    return plan;
}

} // namespace coordctl
