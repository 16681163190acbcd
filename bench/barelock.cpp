// bench/barelock.cpp - the floor of an uncontended lock, for scripts/bench.
//
//   barelock DIR CMD ARGS...
//
// Makes the system calls of an uncontended `coordctl lock DIR -- CMD`
// (coordctl-protocol(7); `strace coordctl lock DIR -- true` at 0cd37e2),
// in the same order, with no libraries, no event loop, no signal handling,
// no option parsing and no checks: the wait file made with O_TMPFILE and
// marked, its record with the boot id and start time read from /proc,
// `.token` locked, the directory read, the token written, the name linked,
// the mark dropped, the held flock passed to CMD, fork+exec+wait, the name
// removed. Left out: the checks coordctl makes on top (`.token` compared
// with the file of that name, the new name probed for the owner lock, as
// on FUSE), forwarding signals, the subreaper, the command's environment.
// Built static, like bench/spawn: its median minus the launcher's is what
// these system calls cost on this host, the part of SPEC §5's "own work
// beyond its two execs" that coordctl's design cannot avoid. Not a lock: it
// judges nothing and assumes it is alone.
//
// Exits with CMD's status (128 + N if a signal N ended it), 127 if CMD
// could not be run, 1 if a system call failed (O_TMPFILE unsupported, say:
// a run that skipped part of the work must not be timed).
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

// Every call is checked: one that failed would make the run cheaper.
long must(long rc, const char* what) {
    if (rc < 0) {
        std::perror(what);
        std::exit(1);
    }
    return rc;
}

void read_all(const char* path, char* buf, size_t size) {
    int fd = static_cast<int>(must(open(path, O_RDONLY | O_CLOEXEC), path));
    long n = must(pread(fd, buf, size - 1, 0), path);
    n += must(pread(fd, buf + n, size - 1 - n, n), path);
    close(fd);
    buf[n] = '\0';
}

void set_mark(int fd, short type) {
    struct flock mark{};
    mark.l_type = type;
    mark.l_whence = SEEK_SET;
    mark.l_start = 1;
    mark.l_len = 1;
    must(fcntl(fd, F_OFD_SETLK, &mark), "F_OFD_SETLK");
}

// Where the value of "key": starts in the record (coordctl's slots).
long slot(const char* record, const char* key) {
    const char* at = std::strstr(record, key);
    if (at == nullptr) std::exit(1);
    return at - record + static_cast<long>(std::strlen(key));
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: barelock DIR CMD ARGS...\n");
        return 64;
    }
    int dir = open(argv[1], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dir < 0 && errno == ENOENT && mkdir(argv[1], 0777) == 0)
        dir = open(argv[1], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dir < 0) {
        std::perror(argv[1]);
        return 1;
    }
    struct stat st{};
    must(fstatat(dir, "", &st, AT_EMPTY_PATH), "fstat DIR");
    int token = static_cast<int>(
        must(openat(dir, ".token", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666), ".token"));
    must(fstatat(token, "", &st, AT_EMPTY_PATH), "fstat .token");

    // The record: host, boot id, pid and its start time, as coordctl's.
    struct utsname host{};
    must(uname(&host), "uname");
    char boot_id[64], stat_line[1024], path[64];
    read_all("/proc/sys/kernel/random/boot_id", boot_id, sizeof boot_id);
    std::snprintf(path, sizeof path, "/proc/%d/stat", getpid());
    read_all(path, stat_line, sizeof stat_line);
    // The start time: the 22nd field, the 20th after the command's ')'.
    const char* field = std::strrchr(stat_line, ')');
    for (int n = 0; n < 20 && field != nullptr; ++n) field = std::strchr(field + 1, ' ');
    unsigned long long start_time = field ? std::strtoull(field + 1, nullptr, 10) : 0;
    // The shape of coordctl's record, token and held_ms padded to be filled in place.
    char record[512];
    int record_len = std::snprintf(
        record, sizeof record,
        "{\"boot_id\":\"%.36s\",\"command\":[\"%s\"],\"created_ms\":1796115447371,"
        "\"held_ms\":0             ,\"hold\":false,\"host\":\"%s\",\"label\":\"\",\"mode\":"
        "\"exclusive\",\"pid\":%d,\"pid_start\":%llu,\"token\":0                   ,"
        "\"ttl_ms\":30000,\"version\":1}\n",
        boot_id, argv[2], host.nodename, getpid(), start_time);
    long token_at = slot(record, "\"token\":"), held_at = slot(record, "\"held_ms\":");

    int wait_file =
        static_cast<int>(must(openat(dir, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0666), "O_TMPFILE"));
    std::snprintf(path, sizeof path, "/proc/self/fd/%d", wait_file);
    must(access(path, F_OK), path);
    must(fstatat(wait_file, "", &st, AT_EMPTY_PATH), "fstat wait file");
    must(flock(wait_file, LOCK_SH), "flock wait file");
    set_mark(wait_file, F_WRLCK);
    must(pwrite(wait_file, record, record_len, 0), "write record");

    // Joining: under .token, read the queue and the mark, take a token.
    must(flock(token, LOCK_EX | LOCK_NB), "flock .token");
    must(fstatat(token, "", &st, AT_EMPTY_PATH), "fstat .token");
    char names[32768];
    must(lseek(dir, 0, SEEK_SET), "lseek DIR");
    while (must(syscall(SYS_getdents64, dir, names, sizeof names), "getdents64") > 0) {
    }
    char marks[64] = {};
    long marks_read = must(pread(token, marks, sizeof marks - 1, 0), "read .token");
    must(pread(token, marks + marks_read, sizeof marks - 1 - marks_read, marks_read), "read .token");
    unsigned long long next = std::strtoull(marks, nullptr, 10) + 1;
    int marks_len = std::snprintf(marks, sizeof marks, "%020llu\ncut %020llu\n", next, 0ULL);
    must(pwrite(token, marks, marks_len, 0), "write .token");
    char token_text[24];
    std::snprintf(token_text, sizeof token_text, "%-20llu", next);
    must(pwrite(wait_file, token_text, 20, token_at), "write token");
    char name[64];
    std::snprintf(name, sizeof name, "1-%020llu-x", next);
    must(linkat(AT_FDCWD, path, dir, name, AT_SYMLINK_FOLLOW), "linkat");

    // Granted: first in line. Drop the mark, note the time, let go of .token.
    must(fstatat(wait_file, "", &st, AT_EMPTY_PATH), "fstat wait file");
    set_mark(wait_file, F_UNLCK);
    must(pwrite(wait_file, "1796115447371", 13, held_at), "write held_ms");
    must(flock(token, LOCK_UN), "unlock .token");
    must(fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW), "stat name");
    int held = static_cast<int>(must(open(path, O_RDONLY | O_CLOEXEC), "reopen wait file"));
    must(flock(held, LOCK_SH), "flock copy");
    must(fcntl(held, F_SETFD, 0), "F_SETFD");

    pid_t pid = fork();
    if (pid < 0) {
        unlinkat(dir, name, 0);
        return 127;
    }
    if (pid == 0) {
        execv(argv[2], argv + 2);
        std::perror(argv[2]);
        _exit(127);
    }
    close(held);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    must(fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW), "stat name");
    must(unlinkat(dir, name, 0), "unlink name");
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
