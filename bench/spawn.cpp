// bench/spawn.cpp - the smallest launcher, for scripts/bench's floor.
//
//   spawn CMD ARGS...
//
// Forks, execs CMD and waits for it: what any tool that runs a command
// must do, and nothing else. Built static, like coordctl, so that
// `spawn /bin/true` is the cost of "two execs" in SPEC §5's "own work
// beyond its two execs" and coordctl's time minus it is that own work.
//
// Exits with CMD's status (128 + N if a signal N ended it), 127 if CMD
// could not be run.
#include <cerrno>
#include <cstdio>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: spawn CMD ARGS...\n");
        return 64;
    }
    pid_t pid = fork();
    if (pid < 0) {
        std::perror("spawn: fork");
        return 127;
    }
    if (pid == 0) {
        execv(argv[1], argv + 1);
        std::perror(argv[1]);
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            std::perror("spawn: waitpid");
            return 127;
        }
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
