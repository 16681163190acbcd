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
// removed. Built static, like bench/spawn: its median minus the launcher's
// is what the protocol's own system calls cost on this host, the part of
// SPEC §5's "own work beyond its two execs" that no implementation of the
// protocol avoids. Not a lock: it judges nothing and assumes it is alone.
//
// Exits with CMD's status (128 + N if a signal N ended it), 127 if CMD
// could not be run, 1 if DIR could not be opened.
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

long read_all(const char* path, char* buf, size_t size) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    long n = pread(fd, buf, size - 1, 0);
    if (n > 0) pread(fd, buf + n, size - 1 - n, n);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return n;
}

void set_mark(int fd, short type) {
    struct flock mark{};
    mark.l_type = type;
    mark.l_whence = SEEK_SET;
    mark.l_start = 1;
    mark.l_len = 1;
    fcntl(fd, F_OFD_SETLK, &mark);
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
    fstatat(dir, "", &st, AT_EMPTY_PATH);
    int token = openat(dir, ".token", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
    fstatat(token, "", &st, AT_EMPTY_PATH);

    // The record: host, boot id, pid and its start time, as coordctl's.
    struct utsname host{};
    uname(&host);
    char boot_id[64], stat_line[1024], path[64];
    read_all("/proc/sys/kernel/random/boot_id", boot_id, sizeof boot_id);
    std::snprintf(path, sizeof path, "/proc/%d/stat", getpid());
    read_all(path, stat_line, sizeof stat_line);
    char record[512];
    int record_len = std::snprintf(
        record, sizeof record,
        "{\"boot_id\":\"%.36s\",\"host\":\"%s\",\"pid\":%d,\"start\":\"%.20s\",\"mode\":"
        "\"exclusive\",\"held_ms\":0,\"token\":                    ,\"command\":\"%s\"}\n",
        boot_id, host.nodename, getpid(), stat_line, argv[2]);

    int wait_file = openat(dir, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0666);
    std::snprintf(path, sizeof path, "/proc/self/fd/%d", wait_file);
    access(path, F_OK);
    fstatat(wait_file, "", &st, AT_EMPTY_PATH);
    flock(wait_file, LOCK_SH);
    set_mark(wait_file, F_WRLCK);
    pwrite(wait_file, record, record_len, 0);

    // Joining: under .token, read the queue and the mark, take a token.
    flock(token, LOCK_EX | LOCK_NB);
    fstatat(token, "", &st, AT_EMPTY_PATH);
    char names[32768];
    lseek(dir, 0, SEEK_SET);
    while (syscall(SYS_getdents64, dir, names, sizeof names) > 0) {
    }
    char marks[64] = {};
    pread(token, marks, sizeof marks - 1, 0);
    pread(token, marks, sizeof marks - 1, 64);
    unsigned long long next = std::strtoull(marks, nullptr, 10) + 1;
    int marks_len = std::snprintf(marks, sizeof marks, "%020llu\ncut %020llu\n", next, 0ULL);
    pwrite(token, marks, marks_len, 0);
    char token_text[24];
    std::snprintf(token_text, sizeof token_text, "%-20llu", next);
    pwrite(wait_file, token_text, 20, 100);
    char name[64];
    std::snprintf(name, sizeof name, "1-%020llu-x", next);
    linkat(AT_FDCWD, path, dir, name, AT_SYMLINK_FOLLOW);

    // Granted: first in line. Drop the mark, note the time, let go of .token.
    fstatat(wait_file, "", &st, AT_EMPTY_PATH);
    set_mark(wait_file, F_UNLCK);
    pwrite(wait_file, "1796115447371", 13, 60);
    flock(token, LOCK_UN);
    fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW);
    int held = open(path, O_RDONLY | O_CLOEXEC);
    flock(held, LOCK_SH);
    fcntl(held, F_SETFD, 0);

    pid_t pid = fork();
    if (pid < 0) return 127;
    if (pid == 0) {
        execv(argv[2], argv + 2);
        std::perror(argv[2]);
        _exit(127);
    }
    close(held);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW);
    unlinkat(dir, name, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
