#include "protocol/queue.hpp"

#include "core/error.hpp"
#include "core/exit_codes.hpp"
#include "os/host.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <unistd.h>

namespace coordctl {

Ticket::Ticket(const os::Directory& dir, EntryName name, os::UniqueFd fd, Record record)
    : dir_(dir), name_(name), fd_(std::move(fd)), record_(std::move(record)) {
    struct stat st;
    ::fstat(fd_.get(), &st);
    id_ = os::file_id(st);
}

bool Ticket::still_mine() const {
    auto st = dir_.stat_entry(file_name());
    return st && os::file_id(*st) == id_;
}

void Ticket::leave() {
    if (!fd_) return;
    dir_.unlink_if(file_name(), id_);
    fd_.reset();
}

namespace {

constexpr int max_publish_attempts = 1000;

Record new_record(const JoinRequest& request) {
    const auto& me = os::host_identity();
    Record record;
    record.mode = std::string(mode_name(request.mode));
    record.pid = ::getpid();
    record.host = me.host;
    record.boot_id = me.boot_id;
    record.pid_start = os::process_start_time(::getpid()).value_or(0);
    record.created_ms = os::now_unix_ms();
    record.ttl_ms = request.ttl.count();
    record.command = request.command;
    record.label = request.label;
    return record;
}

} // namespace

Queue Queue::open(const std::string& path, bool create) {
    return Queue(os::Directory::open(path, create));
}

std::vector<EntryName> Queue::entries() {
    std::vector<EntryName> out;
    for (const auto& name : dir_.regular_files()) {
        if (auto entry = parse_entry_name(name)) out.push_back(*entry);
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::uint64_t Queue::last_token(int token_fd) {
    auto text = os::read_small(token_fd, 64);
    if (auto high = text ? parse_token(*text) : std::nullopt) return *high;
    // New directory, or the mark was damaged: never go below a token in use.
    std::uint64_t high = 0;
    for (const auto& entry : entries()) high = std::max(high, entry.token);
    return high;
}

JoinLock Queue::lock_joins() {
    os::UniqueFd token_fd = dir_.open_dotfile(token_file);
    os::lock_exclusive(token_fd.get(), dir_.path_of(token_file));
    return JoinLock{std::move(token_fd)};
}

std::unique_ptr<Ticket> Queue::join(const JoinRequest& request) {
    // The token lock makes "take the next token" and "publish the entry" one
    // step, so no entry can appear behind a later token.
    return join(request, lock_joins());
}

std::unique_ptr<Ticket> Queue::join(const JoinRequest& request, const JoinLock& held) {
    int token_fd = held.fd.get();
    EntryName name{request.priority, last_token(token_fd), request.mode};
    Record record = new_record(request);
    os::UniqueFd fd;
    // A name already taken (by a foreign file) is skipped: tokens are never reused.
    for (int attempt = 0; !fd; ++attempt) {
        if (attempt == max_publish_attempts)
            throw Error(exit_code::cant_create, "cannot create wait file: every name taken",
                        dir_.path());
        record.token = ++name.token;
        fd = dir_.publish(name.str(), format_record(record));
    }
    os::write_at_start(token_fd, format_token(name.token), dir_.path_of(token_file));
    return std::make_unique<Ticket>(dir_, name, std::move(fd), std::move(record));
}

std::optional<Record> Queue::parse_or_report(const EntryName& entry, int fd) {
    auto text = os::read_small(fd, Record::max_size);
    auto record = text ? parse_record(*text) : std::nullopt;
    if (!record && reported_corrupt_.insert(entry.str()).second)
        fmt::print(stderr, "coordctl: warning: unreadable wait file, judged by its lock and age: {}\n",
                   dir_.path_of(entry.str()));
    return record;
}

std::optional<Record> Queue::read_record(const EntryName& entry) {
    auto opened = dir_.open_entry(entry.str());
    if (!opened.fd) return std::nullopt;
    return parse_or_report(entry, opened.fd.get());
}

EntryProbe Queue::probe(const EntryName& entry) {
    EntryProbe probe;
    auto st = dir_.stat_entry(entry.str());
    if (!st || !S_ISREG(st->st_mode)) return probe;
    probe.exists = true;
    probe.id = os::file_id(*st);
    probe.facts.heartbeat_age = os::mtime_age(*st);
    probe.facts.ttl = default_ttl;
    auto opened = dir_.open_entry(entry.str());
    if (opened.err == ENOENT) return EntryProbe{};
    if (!opened.fd) return probe; // unreadable: judged by its age alone
    probe.fd = std::move(opened.fd);
    probe.facts.lock_held = !os::try_lock_exclusive(probe.fd.get());
    if (probe.facts.lock_held) return probe;
    os::unlock(probe.fd.get());
    probe.record = parse_or_report(entry, probe.fd.get());
    if (probe.record) {
        const auto& me = os::host_identity();
        probe.facts.same_host = probe.record->host == me.host && probe.record->boot_id == me.boot_id;
        probe.facts.ttl = Duration(probe.record->ttl_ms);
    }
    return probe;
}

void Queue::remove_stale(const EntryName& entry, const EntryProbe& probe, const std::string& reason) {
    if (!dir_.unlink_if(entry.str(), probe.id)) return; // someone else removed it first
    std::string owner = "unknown owner";
    if (probe.record)
        owner = fmt::format("{}@{} ({})", probe.record->pid, probe.record->host,
                            command_line(probe.record->command));
    fmt::print(stderr, "coordctl: warning: removed stale entry {} of {}, age {}: {}\n",
               dir_.path_of(entry.str()), owner, format_duration(probe.facts.heartbeat_age), reason);
}

} // namespace coordctl
