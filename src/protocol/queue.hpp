// The queue protocol (SPEC §2, coordctl-protocol(7)): joining with a fresh
// fencing token, reading the order, granting, judging and removing stale
// entries. Shared by every subcommand that queues.
#pragma once

#include "core/duration.hpp"
#include "core/entry_name.hpp"
#include "core/liveness.hpp"
#include "core/queue_order.hpp"
#include "core/record.hpp"
#include "os/files.hpp"

#include <algorithm>
#include <sys/types.h>

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace coordctl {

inline constexpr Duration default_ttl = std::chrono::seconds(30);
inline constexpr const char* token_file = ".token";
// Longer is garbage (read as damaged, then rewritten whole by the next join).
inline constexpr std::size_t token_file_max = 64;
// Joiners and granters hold the token lock for microseconds; one that keeps
// it longer is stopped or hostile. While it does, lock and elect look again
// this often from their loop, and -n gives up after the patience (a storm of
// simultaneous joins can keep the lock busy for tens of milliseconds).
inline constexpr Duration token_lock_retry_every = std::chrono::milliseconds(20);
inline constexpr Duration token_lock_patience = std::chrono::seconds(1);
// When to look at a busy join lock again, `waited` into a wait bounded by
// `limit` (none: unbounded); nothing once the limit is reached.
inline std::optional<Duration> next_join_lock_try(Duration waited, std::optional<Duration> limit) {
    if (!limit) return token_lock_retry_every;
    if (waited >= *limit) return std::nullopt;
    return std::min(token_lock_retry_every, *limit - waited);
}

// How long the token lock has been found taken, look after look.
class TokenLockBusy {
  public:
    // Records a look that found it taken; true once that has lasted
    // token_lock_patience.
    bool out_of_patience() {
        auto now = std::chrono::steady_clock::now();
        if (!since_) since_ = now;
        return now - *since_ >= token_lock_patience;
    }
    void reset() { since_.reset(); }
    explicit operator bool() const { return since_.has_value(); }

  private:
    std::optional<std::chrono::steady_clock::time_point> since_;
};

struct JoinRequest {
    Mode mode = Mode::exclusive;
    std::uint32_t slots = 0;              // N for Mode::slots
    Priority priority = Priority::normal; // cut: ahead of every waiter
    bool preempt = false;                 // cut and also evict the holders in the way
    std::string label;
    std::vector<std::string> command;
    Duration ttl = default_ttl;
    pid_t hold_owner = 0; // lock --hold: the process the entry belongs to once we exit
    std::size_t count = 0; // dbarrier --count, recorded for the others to check
    // Take the first look at the queue (and the grant) while joining, with
    // the entries read to find the token. Not on network filesystems, where
    // that listing may come from the client's cache: there the first look
    // re-reads the directory after our own entry is published.
    bool look_when_joining = true;
};

// A holder's wait file removed by --cut=preempt, kept open to wait on its
// owner lock.
struct Evicted {
    EntryName entry;
    os::UniqueFd fd;
};

// My entry in the queue. It holds a shared kernel lock on its file from
// before the name appears until it is closed (that lock is our liveness),
// and the waiting mark until it is granted.
class Ticket {
  public:
    Ticket(const os::Directory& dir, EntryName name, os::UniqueFd fd, Record record, Slot held, Slot ahead);
    ~Ticket() { leave(); }
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;

    const EntryName& name() const { return name_; }
    const std::string& file_name() const { return file_name_; }
    const std::string& path() const { return path_; }
    const os::Directory& dir() const { return dir_; }
    const Record& record() const { return record_; }
    int fd() const { return fd_.get(); }
    // Holders this cut-in-line entry found when it joined: it waits until
    // they are gone.
    const std::vector<EntryName>& must_follow() const { return must_follow_; }
    // A holder it evicted (--cut=preempt) whose owner lock is still held (by
    // its coordctl or command), forgetting those gone; nullptr once none is
    // left. Until then neither this entry may hold nor its name go: the next
    // waiter would run beside the evicted command.
    const Evicted* evicted_still_running();
    bool evicted_any() const { return !evicted_.empty(); }
    void forget_evicted() { evicted_.clear(); }

    // The name is still there and still our file (nobody removed or replaced it).
    bool still_mine() const;
    void heartbeat() const { os::touch(fd_.get()); }
    // Drops the waiting mark and records when: we hold from now on. A slots
    // entry first records the entries ahead of it (its plan's slots_ahead),
    // for its successor (slots_plan_after_grant); nullptr records none, and
    // the successor reads the queue.
    void mark_granted(const std::vector<EntryName>* slots_ahead);
    // Takes a look's outcome: marked granted if the plan says so, and its
    // slots_ahead kept for a grant decided without a read.
    void take_plan(const WaitPlan& plan);
    // Removes the name, then drops the locks: a successor sees the name gone first.
    void leave();
    // Drops our locks but leaves the file to its recorded owner (lock --hold).
    void hand_over() { fd_.reset(); }

  private:
    friend class Queue;
    std::optional<WaitPlan> first_plan_; // taken when joining, used by the first look
    const os::Directory& dir_;
    EntryName name_;
    std::string file_name_, path_; // formatted once: looked up at every check
    os::UniqueFd fd_;
    os::FileId id_;
    Record record_;
    Slot held_, ahead_;
    // Slots: the entries ahead at the last look, if at most N were.
    std::vector<EntryName> slots_ahead_;
    std::vector<EntryName> must_follow_;
    std::vector<Evicted> evicted_;
};

// What a waiter learned about another entry.
struct EntryProbe {
    bool exists = false;
    os::UniqueFd fd; // open while it exists and could be opened: wait on its locks
    os::FileId id;
    bool waiting = false; // still marked waiting (not granted)
    OwnerFacts facts;
    std::optional<Record> record;
};

// What woke a waiter: the entry its plan waited for has left (a departure
// watch) or has been granted (a grant watch); its wait file's content as
// read once the lock was free or its wait failed (nullopt if unreadable,
// or not read). Either way a hint: the decision checks the directory.
struct WakeUp {
    EntryName entry;
    WatchKind kind = WatchKind::departure;
    std::optional<std::string> content;
};

// The queue's join lock (the exclusive token lock), held until destroyed:
// while it is held no entry joins or is granted, so a decision taken under
// it sees a stable set of entries (dbarrier's rounds).
class JoinLock {
  public:
    explicit JoinLock(int fd) : fd_(fd) {}
    ~JoinLock() { os::unlock(fd_); }
    JoinLock(const JoinLock&) = delete;
    JoinLock& operator=(const JoinLock&) = delete;

  private:
    int fd_;
};

class Queue {
  public:
    static Queue open(const std::string& path, bool create);

    const os::Directory& dir() const { return dir_; }
    // Joins, or returns null if the join lock stays taken for more than a
    // moment: joiners hold it for microseconds, so only a stopped or hostile
    // process holds it longer. The caller waits on its loop (signals and
    // deadlines still work) and tries again.
    std::unique_ptr<Ticket> try_join(const JoinRequest& request);
    // Takes the join lock, or returns nothing if it stays taken for more than
    // a moment (as try_join). Only join (the overload below) while holding
    // it, and never plan_and_grant: both use the same open file description.
    std::optional<JoinLock> try_lock_joins();
    // Joins while the caller holds the join lock, so that what it decided
    // before joining still holds when its entry appears. Call prepare()
    // before taking the lock, so that the file is written outside it.
    std::unique_ptr<Ticket> join(const JoinRequest& request, const JoinLock& held);
    // Writes the wait file for the next join (of the same request), not yet
    // in the queue; kept until that join, across tries that find the join
    // lock taken.
    void prepare(const JoinRequest& request);
    // The wait files, in queue order. Foreign names, dot files, symlinks,
    // directories and other non-regular files are not part of the queue, nor
    // are entries passed over (remove_stale).
    // With `old_temporaries`, also adds to it the wait files being written
    // that their names say are older than Directory::temporary_abandoned_after.
    std::vector<EntryName> entries(std::vector<std::string>* old_temporaries = nullptr);
    // Where the ticket stands. If it may hold, it is marked granted in the
    // same step (under the token lock, so a cut-in-line entry joining at that
    // moment either sees it as a holder or is seen by it). The first call
    // returns the look taken while joining, if any (granted then under the
    // exclusive lock). Nothing if the token lock stays taken for more than a
    // moment (see try_join). With `woke` (what the last plan waited for
    // happened), the directory is read only if that is not enough to decide
    // (plan_without_reading).
    std::optional<WaitPlan> plan_and_grant(Ticket& ticket, const WakeUp* woke = nullptr);
    // Where the ticket stands now, for display only: a read of the queue
    // without the token lock, nothing granted.
    WaitPlan view(const Ticket& ticket);
    EntryProbe probe(const EntryName& entry);
    std::optional<Record> read_record(const EntryName& entry);
    // Removes a stale entry, with a warning naming its owner. One whose owner
    // is proven gone but that is not ours to remove (another user's, in a
    // sticky DIR) is passed over instead: left out of entries() from then on.
    void remove_stale(const EntryName& entry, const EntryProbe& probe, const Verdict& verdict);

  private:
    explicit Queue(os::Directory dir) : dir_(std::move(dir)) {}
    int token_fd();
    bool lock_tokens(bool exclusive);
    std::optional<WaitPlan> plan_without_reading(const Ticket& ticket, const WakeUp& woke);
    std::optional<WaitPlan> plan_on_predecessor_record(const Ticket& ticket, const WakeUp& woke);
    std::optional<std::uint64_t> newest_cut();
    std::optional<bool> present(const EntryName& entry) const;
    bool still_waiting(const EntryName& entry, int fd);
    struct PreparedEntry {
        Record record;
        Slot token;
        Slot held;
        Slot ahead;
        os::Unnamed file;
    };
    PreparedEntry take_prepared();
    std::unique_ptr<Ticket> join_seeing(const JoinRequest& request, PreparedEntry& entry,
                                        std::vector<EntryName>& seen);
    std::unique_ptr<Ticket> join_and_plan(const JoinRequest& request, PreparedEntry& entry);
    std::optional<Record> parse_or_report(const EntryName& entry, int fd);
    void find_holders_to_follow(Ticket& ticket, bool preempt, const std::vector<EntryName>& seen);
    void evict(Ticket& ticket, const EntryName& holder);
    void remove_abandoned_temporaries();

    os::Directory dir_;
    os::UniqueFd token_fd_;
    std::set<std::string> reported_corrupt_;
    bool reported_damaged_mark_ = false;
    // Entries passed over (see remove_stale), by name, and their highest token.
    std::set<std::string, std::less<>> passed_over_;
    std::uint64_t passed_over_high_ = 0;
    std::optional<PreparedEntry> prepared_;
    // Old wait files being written, seen at the join (entries()), removed
    // after it if abandoned.
    std::vector<std::string> old_temporaries_;
};

} // namespace coordctl
