// bench/contend.cpp - one contender of scripts/bench's handoff row.
//
//   contend TAG LOG N -- CMD [ARGS...]
//
// Runs CMD N times in a row (fork + execv, no shell), each time with
// BENCH_TAG=TAG.I in its environment, and records when each run was
// launched: after the last run it appends "TAG.I launch NS" lines
// (CLOCK_MONOTONIC ns taken just before fork) to LOG, so that the log
// writes do not slow the loop down. The launch time tells the analysis
// whether this contender was already queued when the previous holder
// ended, and, with CMD = stamp, gives the fork+exec floor.
//
// Exits 0 if every run exited 0, else 1 (after reporting the first failure).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

static long long now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char** argv) {
    if (argc < 6 || std::strcmp(argv[4], "--") != 0) {
        std::fprintf(stderr, "usage: contend TAG LOG N -- CMD [ARGS...]\n");
        return 64;
    }
    const std::string tag = argv[1];
    const char* log = argv[2];
    const long n = std::strtol(argv[3], nullptr, 10);
    char** cmd = argv + 5;

    std::vector<long long> launched;
    launched.reserve(static_cast<size_t>(n > 0 ? n : 0));
    int failures = 0;
    for (long i = 0; i < n; ++i) {
        std::string env_tag = tag + "." + std::to_string(i);
        if (setenv("BENCH_TAG", env_tag.c_str(), 1) != 0) {
            std::perror("contend: setenv");
            return 1;
        }
        long long t = now_ns();
        pid_t pid = fork();
        if (pid < 0) {
            std::perror("contend: fork");
            return 1;
        }
        if (pid == 0) {
            execv(cmd[0], cmd);
            std::perror(cmd[0]);
            _exit(127);
        }
        launched.push_back(t);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0) {
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            if (failures++ == 0) {
                std::fprintf(stderr, "contend %s: run %ld of %s: %s %d\n", tag.c_str(), i, cmd[0],
                             WIFEXITED(status) ? "exit status" : "killed by signal",
                             WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
            }
        }
    }

    std::string out;
    for (size_t i = 0; i < launched.size(); ++i) {
        out += tag + "." + std::to_string(i) + " launch " + std::to_string(launched[i]) + "\n";
    }
    int fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, out.data(), out.size()) != static_cast<ssize_t>(out.size())) {
        std::perror(log);
        return 1;
    }
    close(fd);
    if (failures != 0) {
        std::fprintf(stderr, "contend %s: %d of %ld runs failed\n", tag.c_str(), failures, n);
        return 1;
    }
    return 0;
}
