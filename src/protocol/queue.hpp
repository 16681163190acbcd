// The queue protocol (SPEC §2, coordctl-protocol(7)): joining with a fresh
// fencing token, reading the order, judging and removing stale entries.
// Shared by every subcommand that queues.
#pragma once

#include "core/duration.hpp"
#include "core/entry_name.hpp"
#include "core/liveness.hpp"
#include "core/record.hpp"
#include "os/files.hpp"

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace coordctl {

inline constexpr Duration default_ttl = std::chrono::seconds(30);
inline constexpr const char* token_file = ".token";

struct JoinRequest {
    Mode mode = Mode::exclusive;
    Priority priority = Priority::normal;
    std::string label;
    std::vector<std::string> command;
    Duration ttl = default_ttl;
};

// My entry in the queue. It holds a shared kernel lock on its file from
// before the name appears until it is closed: that lock is our liveness.
class Ticket {
  public:
    Ticket(const os::Directory& dir, EntryName name, os::UniqueFd fd, Record record);
    ~Ticket() { leave(); }
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;

    const EntryName& name() const { return name_; }
    std::string file_name() const { return name_.str(); }
    std::string path() const { return dir_.path_of(file_name()); }
    const Record& record() const { return record_; }
    int fd() const { return fd_.get(); }
    // The name is still there and still our file (nobody removed or replaced it).
    bool still_mine() const;
    // Removes the name, then drops the lock: a successor sees the name gone first.
    void leave();

  private:
    const os::Directory& dir_;
    EntryName name_;
    os::UniqueFd fd_;
    os::FileId id_;
    Record record_;
};

// What a waiter learned about another entry.
struct EntryProbe {
    bool exists = false;
    os::UniqueFd fd; // open while it exists and could be opened: wait on its lock
    os::FileId id;
    OwnerFacts facts;
    std::optional<Record> record;
};

// The queue's join lock (on the token mark), held until destroyed: while it
// is held no entry can join, so a decision sees a stable set of entries.
struct JoinLock {
    os::UniqueFd fd;
};

class Queue {
  public:
    static Queue open(const std::string& path, bool create);

    const os::Directory& dir() const { return dir_; }
    std::unique_ptr<Ticket> join(const JoinRequest& request);
    // Blocks until held.
    JoinLock lock_joins();
    // Joins while the caller holds the join lock, so that what it decided
    // before joining still holds when its entry appears.
    std::unique_ptr<Ticket> join(const JoinRequest& request, const JoinLock& held);
    // The wait files, in queue order. Foreign names, dot files, symlinks,
    // directories and other non-regular files are not part of the queue.
    std::vector<EntryName> entries();
    EntryProbe probe(const EntryName& entry);
    std::optional<Record> read_record(const EntryName& entry);
    // Removes an entry proven stale, with a warning naming its owner.
    void remove_stale(const EntryName& entry, const EntryProbe& probe, const std::string& reason);

  private:
    explicit Queue(os::Directory dir) : dir_(std::move(dir)) {}
    std::uint64_t last_token(int token_fd);
    std::optional<Record> parse_or_report(const EntryName& entry, int fd);

    os::Directory dir_;
    std::set<std::string> reported_corrupt_;
};

} // namespace coordctl
