#include "protocol/blocker.hpp"

namespace coordctl {

Blocker::Blocker(os::Loop& loop, Queue& queue, WatchOptions options)
    : queue_(queue), options_(options), lock_wait_(loop), file_watch_(loop), recheck_(loop) {}

bool Blocker::alive(const EntryName& entry) {
    entry_ = entry;
    probe_ = queue_.probe(entry);
    if (!probe_.exists) return false;
    verdict_ = judge_owner(probe_.facts);
    if (verdict_.liveness != Liveness::stale) return true;
    queue_.remove_stale(entry, probe_, verdict_.reason);
    return false;
}

void Blocker::wait(std::function<void()> changed) {
    stop();
    if (verdict_.liveness == Liveness::alive_locked) {
        lock_wait_.start(probe_.fd.get(), std::move(changed)); // the fd is duplicated
        probe_ = EntryProbe{};
        return;
    }
    probe_ = EntryProbe{};
    wait_for_lease(std::move(changed));
}

void Blocker::wait_for_lease(std::function<void()> changed) {
    recheck_.start(verdict_.recheck_in, changed);
    file_watch_.start(queue_.dir().path_of(entry_.str()), options_.poll_interval,
                      options_.force_poll, changed);
    // The watch was set after the probe: if the entry went in between, look again now.
    if (!queue_.dir().stat_entry(entry_.str())) recheck_.start(Duration(0), changed);
}

void Blocker::stop() {
    lock_wait_.stop();
    file_watch_.stop();
    recheck_.stop();
}

} // namespace coordctl
