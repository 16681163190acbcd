// bench/contend.cpp - one looping contender of scripts/bench.
//
//   contend TAG LOG N [--start NS] [--until NS] [--flock FILE] -- CMD [ARGS...]
//
// Runs CMD up to N times in a row (fork + execv, no shell; N = 0: no limit),
// each time with BENCH_TAG=TAG.I in its environment, and records when each
// run was launched: after the last run it appends "TAG.I launch NS" lines
// (CLOCK_MONOTONIC ns taken just before fork) to LOG, so that the log
// writes do not slow the loop down. The launch time tells the analysis
// whether this contender was already queued when the previous holder
// ended, and, with CMD = stamp, gives the fork+exec floor.
//
//   --start NS    sleep until CLOCK_MONOTONIC NS before the first run, so
//                 that many contenders start together;
//   --until NS    launch no run at or after CLOCK_MONOTONIC NS;
//   --flock FILE  the immediate re-locker of the fairness row: take
//                 flock(FILE, LOCK_EX) before each run and LOCK_UN after
//                 it, then at once again - one process that re-locks with
//                 no exec in between, as a script holding `exec 9>FILE`
//                 does with flock(2); CMD runs under that lock.
//
// Exits 0 if every run exited 0, else 1 (after reporting the first failure).
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <string>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

long long now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

void sleep_until(long long ns) {
    timespec ts{static_cast<time_t>(ns / 1000000000LL), static_cast<long>(ns % 1000000000LL)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
    }
}

struct Options {
    std::string tag;
    const char* log = nullptr;
    long n = 0;
    long long start = 0;
    long long until = 0;
    const char* flock_file = nullptr;
    char** cmd = nullptr;
};

bool parse(int argc, char** argv, Options& o) {
    if (argc < 6) return false;
    o.tag = argv[1];
    o.log = argv[2];
    o.n = std::strtol(argv[3], nullptr, 10);
    for (int i = 4; i < argc; ++i) {
        if (std::strcmp(argv[i], "--") == 0) {
            o.cmd = argv + i + 1;
            return i + 1 < argc;
        }
        if (i + 1 >= argc) return false;
        if (std::strcmp(argv[i], "--start") == 0)
            o.start = std::strtoll(argv[++i], nullptr, 10);
        else if (std::strcmp(argv[i], "--until") == 0)
            o.until = std::strtoll(argv[++i], nullptr, 10);
        else if (std::strcmp(argv[i], "--flock") == 0)
            o.flock_file = argv[++i];
        else
            return false;
    }
    return false;
}

void lock(int fd, int op) {
    while (flock(fd, op) != 0 && errno == EINTR) {
    }
}

} // namespace

int main(int argc, char** argv) {
    Options o;
    if (!parse(argc, argv, o)) {
        std::fprintf(
            stderr,
            "usage: contend TAG LOG N [--start NS] [--until NS] [--flock FILE] -- CMD [ARGS...]\n");
        return 64;
    }
    int lock_fd = -1;
    if (o.flock_file != nullptr) {
        lock_fd = open(o.flock_file, O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
        if (lock_fd < 0) {
            std::perror(o.flock_file);
            return 1;
        }
    }
    if (o.start > 0) sleep_until(o.start);

    std::vector<long long> launched;
    int failures = 0;
    for (long i = 0; o.n == 0 || i < o.n; ++i) {
        std::string env_tag = o.tag + "." + std::to_string(i);
        if (setenv("BENCH_TAG", env_tag.c_str(), 1) != 0) {
            std::perror("contend: setenv");
            return 1;
        }
        if (o.until > 0 && now_ns() >= o.until) break;
        if (lock_fd >= 0) lock(lock_fd, LOCK_EX);
        long long t = now_ns();
        pid_t pid = fork();
        if (pid < 0) {
            std::perror("contend: fork");
            return 1;
        }
        if (pid == 0) {
            execv(o.cmd[0], o.cmd);
            std::perror(o.cmd[0]);
            _exit(127);
        }
        launched.push_back(t);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0) {
        }
        if (lock_fd >= 0) lock(lock_fd, LOCK_UN);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            if (failures++ == 0) {
                std::fprintf(stderr, "contend %s: run %ld of %s: %s %d\n", o.tag.c_str(), i,
                             o.cmd[0], WIFEXITED(status) ? "exit status" : "killed by signal",
                             WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
            }
        }
    }

    std::string out;
    for (size_t i = 0; i < launched.size(); ++i) {
        out += o.tag + "." + std::to_string(i) + " launch " + std::to_string(launched[i]) + "\n";
    }
    int fd = open(o.log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, out.data(), out.size()) != static_cast<ssize_t>(out.size())) {
        std::perror(o.log);
        return 1;
    }
    close(fd);
    if (failures != 0) {
        std::fprintf(stderr, "contend %s: %d of %zu runs failed\n", o.tag.c_str(), failures,
                     launched.size());
        return 1;
    }
    return 0;
}
