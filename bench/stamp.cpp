// bench/stamp.cpp - the locked command of scripts/bench's handoff row.
//
//   stamp LOG [HOLD_US]
//
// Appends "TAG start NS" at entry and "TAG end NS" just before exit to LOG,
// each line with a single write(2) on an O_APPEND descriptor, where NS is
// CLOCK_MONOTONIC in nanoseconds and TAG is $BENCH_TAG ("-" if unset).
// HOLD_US (default 0) is slept between the two lines, so that the other
// contenders are queued when this one ends.
//
// Deliberately uses nothing from the C++ library: its start-up cost is the
// floor the handoff is compared with.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fcntl.h>
#include <unistd.h>

static long long now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

static bool put(int fd, const char* tag, const char* what, long long ns) {
    char line[256];
    int n = std::snprintf(line, sizeof line, "%s %s %lld\n", tag, what, ns);
    if (n <= 0 || n >= static_cast<int>(sizeof line)) return false;
    return write(fd, line, static_cast<size_t>(n)) == n;
}

int main(int argc, char** argv) {
    long long t0 = now_ns();
    if (argc < 2 || argc > 3) {
        std::fprintf(stderr, "usage: stamp LOG [HOLD_US]\n");
        return 64;
    }
    const char* tag = std::getenv("BENCH_TAG");
    if (tag == nullptr || *tag == '\0') tag = "-";
    long hold_us = argc == 3 ? std::strtol(argv[2], nullptr, 10) : 0;
    int fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        std::perror(argv[1]);
        return 74;
    }
    if (!put(fd, tag, "start", t0)) {
        std::perror("stamp: write");
        return 74;
    }
    if (hold_us > 0) {
        timespec d{hold_us / 1000000, (hold_us % 1000000) * 1000};
        while (nanosleep(&d, &d) != 0 && errno == EINTR) {
        }
    }
    if (!put(fd, tag, "end", now_ns())) {
        std::perror("stamp: write");
        return 74;
    }
    return 0;
}
