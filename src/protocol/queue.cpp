#include "protocol/queue.hpp"

#include "core/error.hpp"
#include "core/exit_codes.hpp"
#include "core/progress.hpp"
#include "os/host.hpp"
#include "os/terminal.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <limits>
#include <thread>
#include <unistd.h>
#include <utility>

namespace coordctl {

Ticket::Ticket(const os::Directory& dir, EntryName name, os::UniqueFd fd, Record record, Slot held, Slot ahead)
    : dir_(dir), name_(name), file_name_(name.str()), path_(dir.path_of(file_name_)), fd_(std::move(fd)),
      record_(std::move(record)), held_(held), ahead_(ahead) {
    struct stat st;
    ::fstat(fd_.get(), &st);
    id_ = os::file_id(st);
}

bool Ticket::still_mine() const {
    auto st = dir_.stat_entry(file_name());
    return st && os::file_id(*st) == id_;
}

void Ticket::mark_granted(const std::vector<EntryName>* slots_ahead) {
    // Before the mark: the successor woken by it reads them (only a slots
    // record has room for them).
    if (slots_ahead && ahead_.width > 0) {
        std::vector<std::string> names;
        for (const auto& e : *slots_ahead)
            names.push_back(e.str());
        auto text = format_ahead(names, ahead_.width);
        if (!text.empty()) os::write_at(fd_.get(), ahead_.offset, text);
    }
    os::mark_granted(fd_.get());
    // After the mark: an observer woken by this write sees the entry granted.
    record_.held_ms = os::now_unix_ms();
    if (held_.width > 0) os::write_at(fd_.get(), held_.offset, slot_text(record_.held_ms, held_.width));
}

void Ticket::take_plan(const WaitPlan& plan) {
    if (plan.granted) mark_granted(&plan.slots_ahead);
    slots_ahead_ = plan.slots_ahead;
}

const Evicted* Ticket::evicted_still_running() {
    while (!evicted_.empty() && os::try_lock_exclusive(evicted_.back().fd.get()))
        evicted_.pop_back();
    return evicted_.empty() ? nullptr : &evicted_.back();
}

void Ticket::leave() {
    if (!fd_) return;
    // Given up or failed after --cut=preempt: callers on a loop wait for the
    // evicted commands first (Campaign); this is for error paths.
    if (const auto* evicted = evicted_still_running())
        os::eprint("coordctl: leaving once the evicted holder's command has stopped: {}\n",
                   dir_.path_of(evicted->entry.str()));
    for (auto& evicted : evicted_)
        os::await_no_owner_lock(evicted.fd.get());
    evicted_.clear();
    dir_.unlink_if(file_name(), id_);
    fd_.reset();
}

namespace {

constexpr int max_publish_attempts = 1000;
// How long a busy token lock is tried again here before the caller is told
// to look again from its loop (every token_lock_retry_every).
constexpr int token_lock_tries = 50;
constexpr auto token_lock_try_every = std::chrono::microseconds(100);

// Takes the token lock without blocking, retrying for a few milliseconds.
bool take_token_lock(int fd, bool exclusive) {
    for (int i = 0;; ++i) {
        if (exclusive ? os::try_lock_exclusive(fd) : os::try_lock_shared(fd)) return true;
        if (i == token_lock_tries) return false;
        std::this_thread::sleep_for(token_lock_try_every);
    }
}

Record new_record(const JoinRequest& request) {
    const auto& me = os::host_identity();
    Record record;
    record.mode = std::string(mode_name(request.mode));
    record.hold = request.hold_owner != 0;
    record.pid = record.hold ? request.hold_owner : ::getpid();
    record.host = me.host;
    record.boot_id = me.boot_id;
    record.pid_start = os::process_start_time(static_cast<pid_t>(record.pid)).value_or(0);
    record.created_ms = os::now_unix_ms();
    record.ttl_ms = request.ttl.count();
    record.command = record_command(request.command);
    record.label = request.label;
    record.count = request.count;
    return record;
}

// Does a holder in `mode` stand in the way of a cut-in-line entry in `me`?
bool conflicts(const EntryName& holder, const EntryName& me) {
    return me.mode != Mode::shared || holder.mode == Mode::exclusive;
}

} // namespace

Queue Queue::open(const std::string& path, bool create) {
    return Queue(os::Directory::open(path, create));
}

std::vector<EntryName> Queue::entries(std::vector<std::string>* old_temporaries) {
    std::vector<EntryName> out;
    auto old = std::chrono::duration_cast<std::chrono::seconds>(os::Directory::temporary_abandoned_after).count();
    auto now = old_temporaries ? static_cast<std::int64_t>(::time(nullptr)) : 0;
    dir_.for_each_regular_file([&](std::string_view name) {
        if (auto entry = parse_entry_name(name)) {
            if (!passed_over_.contains(name)) out.push_back(*entry);
        } else if (old_temporaries) {
            auto created = temporary_wait_file_created(name);
            if (created && now - *created > old) old_temporaries->emplace_back(name);
        }
    });
    std::sort(out.begin(), out.end());
    return out;
}

int Queue::token_fd() {
    if (!token_fd_) token_fd_ = dir_.open_dotfile(token_file);
    return token_fd_.get();
}

// A lock on a .token since removed, renamed or replaced (by hand: rm, mv)
// would not exclude the processes that opened the one now there: the file
// locked must be the file named .token, else it is opened again.
bool Queue::lock_tokens(bool exclusive) {
    for (int reopened = 0; reopened < 3; ++reopened) {
        int fd = token_fd();
        if (!take_token_lock(fd, exclusive)) return false;
        struct stat locked;
        auto named = dir_.stat_entry(token_file);
        if (::fstat(fd, &locked) == 0 && named && os::file_id(locked) == os::file_id(*named))
            return true;
        os::unlock(fd);
        token_fd_.reset();
    }
    return false; // replaced again and again: look again later
}

std::optional<JoinLock> Queue::try_lock_joins() {
    if (!lock_tokens(true)) return std::nullopt;
    return std::optional<JoinLock>(std::in_place, token_fd());
}

std::unique_ptr<Ticket> Queue::try_join(const JoinRequest& request) {
    token_fd(); // first: a .token that cannot be opened fails before a wait file is written
    prepare(request);
    // The token lock makes "take the next token" and "publish the entry" one
    // step, so no entry can appear behind a later token.
    if (!lock_tokens(true)) return nullptr;
    std::unique_ptr<Ticket> ticket;
    {
        JoinLock held(token_fd());
        auto entry = take_prepared();
        ticket = join_and_plan(request, entry);
    }
    remove_abandoned_temporaries();
    return ticket;
}

// Under the join lock.
std::unique_ptr<Ticket> Queue::join_and_plan(const JoinRequest& request, PreparedEntry& entry) {
    std::vector<EntryName> seen;
    auto ticket = join_seeing(request, entry, seen);
    // The first look at the queue, in the same step: the entries read to
    // take the token are still all there is (none can join meanwhile; one
    // that left only makes the plan look again), and granting needs the
    // token lock we hold. Saves re-reading the directory. Not after
    // evictions: the evicted commands must be gone first (Waiter).
    if (request.look_when_joining && !ticket->evicted_any()) {
        auto plan = plan_wait(seen, ticket->name(), ticket->must_follow());
        ticket->take_plan(plan);
        ticket->first_plan_ = std::move(plan);
    }
    return ticket;
}

std::unique_ptr<Ticket> Queue::join(const JoinRequest& request, const JoinLock&) {
    prepare(request);
    auto entry = take_prepared();
    std::vector<EntryName> seen;
    auto ticket = join_seeing(request, entry, seen);
    remove_abandoned_temporaries(); // under the caller's lock, but only when there are old ones
    return ticket;
}

// Used once: a failed join does not leave a half-used one for the next.
Queue::PreparedEntry Queue::take_prepared() {
    PreparedEntry entry = std::move(*prepared_);
    prepared_.reset();
    return entry;
}

void Queue::prepare(const JoinRequest& request) {
    if (prepared_) return; // kept from a try that found the join lock taken
    Record record = new_record(request);
    // Slots: room for the names of the N - 1 entries that may be ahead at the grant.
    std::size_t width = 0;
    if (request.mode == Mode::slots && request.slots > 0) {
        auto name_size = EntryName{Priority::normal, 0, Mode::slots, request.slots}.str().size();
        width = ahead_width(request.slots - 1, name_size);
    }
    auto text = format_record(record, width);
    auto token = token_slot(text);
    auto held = held_ms_slot(text);
    auto ahead = ahead_slot(text);
    prepared_.emplace(PreparedEntry{std::move(record), token, held, ahead, dir_.prepare(text, dir_.path())});
}

// Under the join lock. `seen`: the entries read, then with ours added, in order.
std::unique_ptr<Ticket> Queue::join_seeing(const JoinRequest& request, PreparedEntry& entry,
                                           std::vector<EntryName>& seen) {
    int tokens = token_fd();
    old_temporaries_.clear();
    seen = entries(&old_temporaries_);
    auto text = os::read_small(tokens, token_file_max);
    auto marks = parse_token_file(text.value_or(""));
    // (Empty: a new DIR's. Unread: too long, or a read error.)
    if (!marks.high && (!text || !text->empty()) && !reported_damaged_mark_) {
        reported_damaged_mark_ = true;
        os::eprint("coordctl: warning: damaged token mark, new tokens go on from the wait files "
                   "present and may repeat old ones: {}\n",
                   dir_.path_of(token_file));
    }
    // New directory, or a damaged or lowered mark: never go below a token in
    // use, or the new entry would sort before the holder and run beside it.
    // The same for the cut line, which must not be below a cut entry present;
    // unknown, it could be any token up to here.
    std::uint64_t high = marks.high.value_or(0), newest_cut = 0;
    for (const auto& e : seen) {
        high = std::max(high, e.token);
        if (e.priority == Priority::cut) newest_cut = std::max(newest_cut, e.token);
    }
    high = std::max(high, passed_over_high_);
    std::uint64_t cut = marks.cut ? std::clamp(*marks.cut, newest_cut, high) : high;
    EntryName name{request.priority, high, request.mode, request.slots};
    // A name already taken (by a foreign file) is skipped: tokens are never reused.
    for (int attempt = 0;; ++attempt) {
        if (attempt == max_publish_attempts)
            throw Error(exit_code::cant_create, "cannot create wait file: every name taken",
                        dir_.path());
        if (name.token == std::numeric_limits<std::uint64_t>::max())
            throw Error(exit_code::cant_create, "cannot create wait file: no token left",
                        dir_.path_of(token_file));
        ++name.token;
        // The marks go first: a token is never handed out twice, even if this
        // process dies next, and a cut-in-line entry is announced before it
        // appears (see plan_and_grant). A token whose name turns out taken is
        // skipped.
        if (request.priority == Priority::cut) cut = name.token;
        auto marks_text = format_token_file(name.token, cut);
        auto old_size = text ? text->size() : token_file_max + 1;
        os::write_whole(tokens, marks_text, old_size, dir_.path_of(token_file));
        text = marks_text;
        if (!os::write_at(entry.file.fd(), entry.token.offset, slot_text(name.token, entry.token.width)))
            throw Error("cannot create wait file", dir_.path_of(name.str()), errno);
        if (dir_.give_name(entry.file, name.str())) {
            dir_.lock_name(entry.file, name.str());
            break;
        }
    }
    entry.record.token = name.token;
    auto ticket = std::make_unique<Ticket>(dir_, name, std::move(entry.file).release(),
                                           std::move(entry.record), entry.held, entry.ahead);
    seen.insert(std::upper_bound(seen.begin(), seen.end(), name), name);
    if (request.priority == Priority::cut) find_holders_to_follow(*ticket, request.preempt, seen);
    return ticket;
}

// Under the exclusive token lock: no entry can join or be granted meanwhile,
// so `seen` (read under it) holds every entry, and those not marked waiting
// are exactly the holders (or dead, judged later; gone ones cannot be opened).
void Queue::find_holders_to_follow(Ticket& ticket, bool preempt, const std::vector<EntryName>& seen) {
    std::vector<EntryName> holders;
    for (const auto& entry : seen) {
        if (entry.priority == Priority::cut || !conflicts(entry, ticket.name())) continue;
        auto opened = dir_.open_entry(entry.str());
        if (opened.fd && !still_waiting(entry, opened.fd.get())) holders.push_back(entry);
    }
    ticket.must_follow_ = holders;
    if (!preempt) return;
    // Evict just enough: all of them, or for slots the newest beyond N - 1.
    std::size_t keep = ticket.name().mode == Mode::slots ? ticket.name().slots - 1 : 0;
    std::size_t cut_ahead = 0;
    for (const auto& entry : seen) cut_ahead += entry.priority == Priority::cut && entry < ticket.name();
    keep = keep > cut_ahead ? keep - cut_ahead : 0;
    for (std::size_t i = keep; i < holders.size(); ++i) evict(ticket, holders[holders.size() - 1 - (i - keep)]);
}

void Queue::evict(Ticket& ticket, const EntryName& holder) {
    auto probe = this->probe(holder);
    if (!probe.exists || dir_.unlink_if(holder.str(), probe.id) != 0) return;
    auto record = probe.fd ? parse_or_report(holder, probe.fd.get()) : std::nullopt;
    os::eprint("coordctl: preempting {} held by {}\n", dir_.path_of(holder.str()),
               describe_owner(record));
    if (probe.fd) ticket.evicted_.push_back({holder, std::move(probe.fd)});
}

// A joiner killed before its wait file was named (only where there is no
// O_TMPFILE, as on NFS) leaves it as a dot temporary file; its mark and
// lock are gone with it. Young ones are in flight and skipped by their
// name. Old ones seen at the join: after it, outside the join lock.
void Queue::remove_abandoned_temporaries() {
    for (const auto& name : old_temporaries_) {
        int err = dir_.remove_if_abandoned(name, os::Directory::temporary_abandoned_after);
        if (err == 0)
            os::eprint(
                "coordctl: warning: removed a wait file left unnamed by a killed process: {}\n",
                dir_.path_of(name));
        else if (err != EBUSY && err != ENOENT)
            os::eprint("coordctl: warning: cannot remove a wait file left unnamed by a killed "
                       "process: {}: {}\n",
                       dir_.path_of(name), std::strerror(err));
    }
    old_temporaries_.clear();
}

std::optional<WaitPlan> Queue::plan_and_grant(Ticket& ticket, const WakeUp* woke) {
    if (ticket.first_plan_) return std::exchange(ticket.first_plan_, std::nullopt);
    if (!lock_tokens(false)) return std::nullopt;
    auto known = woke ? plan_without_reading(ticket, *woke) : std::nullopt;
    auto plan = known ? std::move(*known) : plan_wait(entries(), ticket.name(), ticket.must_follow());
    ticket.take_plan(plan);
    os::unlock(token_fd());
    return plan;
}

WaitPlan Queue::view(const Ticket& ticket) {
    return plan_wait(entries(), ticket.name(), ticket.must_follow());
}

std::optional<std::uint64_t> Queue::newest_cut() {
    auto text = os::read_small(token_fd(), token_file_max);
    return parse_token_file(text.value_or("")).cut;
}

// Whether the name is there (a dead owner's file left behind counts: it is
// judged by a full look); nullopt if that cannot be told.
std::optional<bool> Queue::present(const EntryName& entry) const {
    if (passed_over_.contains(entry.str())) return false;
    if (dir_.stat_entry(entry.str())) return true;
    if (errno == ENOENT) return false;
    return std::nullopt;
}

// Under the token lock. A read of the directory costs per entry (a quarter
// of a microsecond each on ext4), so a waiter that can decide from what it
// knows keeps a handoff's cost the same in a queue of any length.
std::optional<WaitPlan> Queue::plan_without_reading(const Ticket& ticket, const WakeUp& woke) {
    const auto& me = ticket.name();
    if (woke.kind == WatchKind::grant) return plan_on_predecessor_record(ticket, woke);
    WaitPlan plan;
    if (me.mode == Mode::slots) {
        if (!slots_may_hold_after_departure(me, newest_cut())) return std::nullopt;
        // Those of the N ahead other than the one gone (some may have left too).
        for (const auto& e : ticket.slots_ahead_)
            if (!(e == woke.entry)) plan.slots_ahead.push_back(e);
    } else {
        auto facts = woke.content ? parse_grant_facts(*woke.content) : std::nullopt;
        bool was_granted = facts && facts->token == woke.entry.token && facts->held_ms > 0;
        auto cut = was_granted ? newest_cut() : std::nullopt; // not needed otherwise
        if (!may_hold_after_departure(me, woke.entry, was_granted, cut)) return std::nullopt;
    }
    if (present(woke.entry) != false) return std::nullopt;
    plan.present = plan.granted = true; // the waiter checks it is still ours next
    return plan;
}

// The predecessor was granted and recorded who was ahead of it: with those
// still present (a stat each) the plan is a full look's, without the read.
std::optional<WaitPlan> Queue::plan_on_predecessor_record(const Ticket& ticket,
                                                          const WakeUp& woke) {
    auto grant = woke.content ? parse_slots_grant(*woke.content) : std::nullopt;
    if (!grant || grant->token != woke.entry.token) return std::nullopt;
    std::vector<EntryName> recorded;
    for (const auto& name : grant->ahead) {
        auto entry = parse_entry_name(name);
        if (!entry) return std::nullopt;
        recorded.push_back(*entry);
    }
    return slots_plan_after_grant(ticket.name(), woke.entry, recorded, newest_cut(),
                                  [this](const EntryName& e) { return present(e); });
}

std::optional<Record> Queue::parse_or_report(const EntryName& entry, int fd) {
    auto read = [fd] {
        auto text = os::read_small(fd, Record::max_size);
        return text ? parse_record(*text) : std::nullopt;
    };
    // Read twice before calling it damaged: a read can overlap the grant's
    // write of "ahead" in place, which is not JSON until it is complete.
    auto record = read();
    if (!record) record = read();
    if (!record && reported_corrupt_.insert(entry.str()).second)
        os::eprint("coordctl: warning: unreadable wait file, judged by its lock and age: {}\n",
                   dir_.path_of(entry.str()));
    return record;
}

std::optional<Record> Queue::read_record(const EntryName& entry) {
    auto opened = dir_.open_entry(entry.str());
    if (!opened.fd) return std::nullopt;
    return parse_or_report(entry, opened.fd.get());
}

// From its mark; if that cannot be tested, from its record (held_ms is
// written at the grant, under the token lock, so exact under the exclusive
// one); if neither tells, taken for granted (a holder to follow, an owner
// lock to wait for: the longer wait).
bool Queue::still_waiting(const EntryName& entry, int fd) {
    if (auto marked = os::marked_waiting(fd)) return *marked;
    auto text = os::read_small(fd, Record::max_size);
    auto facts = text ? parse_grant_facts(*text) : std::nullopt;
    return facts && facts->token == entry.token && facts->held_ms == 0;
}

EntryProbe Queue::probe(const EntryName& entry) {
    EntryProbe probe;
    auto st = dir_.look_at(entry.str()); // gone: ENOENT (ESTALE on NFS)
    if (!st || !S_ISREG(st->st_mode)) return probe;
    probe.exists = true;
    probe.id = os::file_id(*st);
    probe.facts.heartbeat_age = os::mtime_age(*st);
    probe.facts.ttl = default_ttl;
    auto opened = dir_.open_entry(entry.str());
    if (opened.err == ENOENT) return EntryProbe{};
    if (!opened.fd) return probe; // unreadable: judged by its age alone
    probe.fd = std::move(opened.fd);
    probe.waiting = still_waiting(entry, probe.fd.get());
    probe.facts.lock_held = !os::try_lock_exclusive(probe.fd.get());
    if (probe.facts.lock_held) return probe;
    os::unlock(probe.fd.get());
    probe.record = parse_or_report(entry, probe.fd.get());
    if (probe.record) {
        const auto& me = os::host_identity();
        const auto& r = *probe.record;
        probe.facts.same_host = r.host == me.host && r.boot_id == me.boot_id;
        probe.facts.ttl = Duration(r.ttl_ms);
        probe.facts.hold_entry = r.hold;
        probe.facts.owner_alive =
            r.hold && os::process_may_live(static_cast<pid_t>(r.pid), r.pid_start);
    }
    return probe;
}

void Queue::remove_stale(const EntryName& entry, const EntryProbe& probe, const Verdict& verdict) {
    if (passed_over_.contains(entry.str())) return;
    int err = dir_.unlink_if(entry.str(), probe.id);
    if (err == ENOENT) return; // someone else removed or replaced it first
    auto path = dir_.path_of(entry.str());
    auto owner = describe_owner(probe.record);
    auto age = format_duration(probe.facts.heartbeat_age);
    if (err == 0) {
        os::eprint("coordctl: warning: removed stale entry {} of {}, age {}: {}\n", path, owner,
                   age, verdict.reason);
        return;
    }
    // Not ours to remove (another user's, in a sticky DIR). An owner proven
    // gone stays gone: every process passes over the entry the same way. One
    // that only missed its heartbeats may still run on its host, and learns of
    // its loss only by the removal: going on without it could run two holders.
    if (!verdict.proven || (err != EPERM && err != EACCES))
        throw Error("cannot remove stale entry", path, err);
    passed_over_.insert(entry.str());
    passed_over_high_ = std::max(passed_over_high_, entry.token);
    os::eprint(
        "coordctl: warning: passing over stale entry {} of {}, age {}: {}; cannot remove it: {}\n",
        path, owner, age, verdict.reason, std::strerror(err));
}

} // namespace coordctl
