// bench/signal.cpp - send a signal and log when, for scripts/bench.
//
//   signal LOG TAG SIGNAL PID...
//
// Takes CLOCK_MONOTONIC (NS), sends SIGNAL (a number) to each PID in turn,
// back to back, and only then appends "TAG signal NS" to LOG. The crash and
// failover rows measure from NS to the next holder's stamp "start".
//
// Exits 1 if a kill(2) failed (other than for a process already gone), else 0.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <unistd.h>

int main(int argc, char** argv) {
    if (argc < 5) {
        std::fprintf(stderr, "usage: signal LOG TAG SIGNAL PID...\n");
        return 64;
    }
    int sig = static_cast<int>(std::strtol(argv[3], nullptr, 10));
    int fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        std::perror(argv[1]);
        return 1;
    }
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int rc = 0;
    for (int i = 4; i < argc; ++i) {
        // ESRCH: gone already (a command that a forwarded signal ended first).
        if (kill(static_cast<pid_t>(std::strtol(argv[i], nullptr, 10)), sig) != 0 &&
            errno != ESRCH) {
            std::fprintf(stderr, "signal: kill %s: %s\n", argv[i], std::strerror(errno));
            rc = 1;
        }
    }
    char line[256];
    int n = std::snprintf(line, sizeof line, "%s signal %lld\n", argv[2],
                          static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec);
    if (n <= 0 || n >= static_cast<int>(sizeof line) ||
        write(fd, line, static_cast<size_t>(n)) != n) {
        std::perror("signal: write");
        return 1;
    }
    return rc;
}
