#include "protocol/barrier.hpp"

#include "core/error.hpp"
#include "core/exit_codes.hpp"
#include "os/host.hpp"

#include <cerrno>
#include <unistd.h>

namespace coordctl {

namespace {

// Publishing can race with an unset between "name taken" and the look: retry.
constexpr int max_set_attempts = 100;

std::string new_barrier_record() {
    BarrierRecord record;
    record.pid = ::getppid(); // the script that ran us, not this short-lived process
    record.host = os::host_identity().host;
    record.created_ms = os::now_unix_ms();
    return format_barrier_record(record);
}

} // namespace

void not_a_barrier(const std::string& path) {
    throw Error(exit_code::cant_create, "not a barrier (not a regular file)", path);
}

BarrierSight look_at_barrier(const os::Directory& dir, const std::string& name) {
    BarrierSight sight;
    auto st = dir.stat_entry(name);
    if (!st) return sight;
    sight.present = true;
    sight.regular = S_ISREG(st->st_mode);
    sight.dev = st->st_dev;
    sight.ino = st->st_ino;
    sight.born_ns = dir.birth_time_ns(name);
    if (!sight.regular) return sight;
    auto opened = dir.open_entry(name);
    if (opened.err == ENOENT) return BarrierSight{};
    if (opened.fd)
        sight.content = os::read_small(opened.fd.get(), BarrierRecord::max_size).value_or("");
    return sight;
}

SetOutcome set_barrier(const BarrierPath& where) {
    auto dir = os::Directory::open(where.dir, true, os::FinalLink::follow);
    std::string content = new_barrier_record();
    for (int attempt = 0; attempt < max_set_attempts; ++attempt) {
        if (dir.publish(where.name, content, "cannot set barrier")) return {true, {}};
        auto existing = look_at_barrier(dir, where.name);
        if (!existing.present) continue; // unset in between: try again
        if (!existing.regular) not_a_barrier(where.path);
        return {false, existing};
    }
    throw Error(exit_code::io_error, "cannot set barrier: it keeps changing",
                dir.path_of(where.name));
}

bool unset_barrier(const BarrierPath& where) {
    auto dir = os::Directory::open_existing(where.dir, os::FinalLink::follow);
    if (!dir) return false;
    auto st = dir->stat_entry(where.name);
    if (!st) return false;
    if (!S_ISREG(st->st_mode)) not_a_barrier(where.path);
    int err = dir->unlink_if(where.name, os::file_id(*st));
    if (err == ENOENT) return false; // unset by someone else in between
    if (err != 0) throw Error("cannot unset barrier", where.path, err);
    return true;
}

BarrierWait::BarrierWait(os::Loop& loop, const os::Directory& dir, std::string name,
                         WaitOptions options, std::function<void(bool)> done)
    : dir_(dir), name_(std::move(name)), options_(options), done_(std::move(done)), watch_(loop),
      soon_(loop), deadline_(loop) {}

void BarrierWait::start(BarrierSight found) {
    found_ = std::move(found);
    if (options_.timeout) deadline_.start(*options_.timeout, [this] { finish(false); });
    arm_and_look();
}

void BarrierWait::arm_and_look() {
    // Every event re-arms the watch on whatever is at PATH now, then looks.
    watch_.start(dir_.path_of(name_), options_.poll_interval, options_.poll,
                 [this] { arm_and_look_soon(); });
    if (barrier_lifted(found_, look_at_barrier(dir_, name_))) finish(true);
}

void BarrierWait::arm_and_look_soon() {
    soon_.start(Duration(0), [this] { arm_and_look(); });
}

void BarrierWait::finish(bool lifted) {
    watch_.stop();
    soon_.stop();
    deadline_.stop();
    auto done = std::move(done_);
    done_ = nullptr;
    if (done) done(lifted);
}

} // namespace coordctl
