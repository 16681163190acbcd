// bench/stamp.cpp - the locked command of scripts/bench's rows.
//
//   stamp LOG [HOLD_US | wait]
//
// Appends "TAG start NS TOKEN PID PPID" at entry and "TAG end NS TOKEN PID
// PPID" just before exit to LOG, each line with a single write(2) on an
// O_APPEND descriptor, where NS is CLOCK_MONOTONIC in nanoseconds, TAG is
// $BENCH_TAG ("-" if unset) and TOKEN is $COORDCTL_TOKEN ("-" if unset, as
// under flock(1)); PID and PPID let the benchmark signal the holder.
// HOLD_US (default 0) is slept between the two lines, so that the other
// contenders are queued when this one ends. With "wait" it holds until it
// gets SIGUSR1 (the benchmark releasing it) or SIGTERM, SIGINT or SIGHUP
// (forwarded by coordctl), then logs "end" and exits 0.
//
// Deliberately uses nothing from the C++ library: its start-up cost is the
// floor the handoff is compared with.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <unistd.h>

static long long now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

static const char* env_or_dash(const char* name) {
    const char* value = std::getenv(name);
    return value == nullptr || *value == '\0' ? "-" : value;
}

static bool put(int fd, const char* what, long long ns) {
    char line[256];
    int n = std::snprintf(line, sizeof line, "%s %s %lld %s %d %d\n", env_or_dash("BENCH_TAG"),
                          what, ns, env_or_dash("COORDCTL_TOKEN"), static_cast<int>(getpid()),
                          static_cast<int>(getppid()));
    if (n <= 0 || n >= static_cast<int>(sizeof line)) return false;
    return write(fd, line, static_cast<size_t>(n)) == n;
}

// Blocked before the "start" line, so that a release sent right after it
// stays pending instead of killing us.
static void block_release_signals(sigset_t* set) {
    sigemptyset(set);
    sigaddset(set, SIGUSR1);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGHUP);
    sigprocmask(SIG_BLOCK, set, nullptr);
}

int main(int argc, char** argv) {
    long long t0 = now_ns();
    if (argc < 2 || argc > 3) {
        std::fprintf(stderr, "usage: stamp LOG [HOLD_US | wait]\n");
        return 64;
    }
    bool wait = argc == 3 && std::strcmp(argv[2], "wait") == 0;
    long hold_us = argc == 3 && !wait ? std::strtol(argv[2], nullptr, 10) : 0;
    sigset_t release;
    if (wait) block_release_signals(&release);
    int fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        std::perror(argv[1]);
        return 74;
    }
    if (!put(fd, "start", t0)) {
        std::perror("stamp: write");
        return 74;
    }
    if (wait) {
        while (sigwaitinfo(&release, nullptr) < 0 && errno == EINTR) {
        }
    } else if (hold_us > 0) {
        timespec d{hold_us / 1000000, (hold_us % 1000000) * 1000};
        while (nanosleep(&d, &d) != 0 && errno == EINTR) {
        }
    }
    if (!put(fd, "end", now_ns())) {
        std::perror("stamp: write");
        return 74;
    }
    return 0;
}
