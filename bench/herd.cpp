// bench/herd.cpp - the waiters of scripts/bench's herd rows, and their CPU.
//
//   herd OUT N [--spread K] [--idle SECS] [--timeout SECS] -- CMD [ARGS...]
//
// Starts N children running CMD (fork + execv, no shell), each with
// BENCH_TAG=herd.I; with --spread K, "{}" in an argument becomes I % K (to
// spread the waiters over K lock files). Writes their pids to OUT.pids, then
// waits for SIGUSR1: the benchmark sends it once every child is queued and
// idle, behind a holder that it has not yet released. Then:
//   1. snapshot: the CPU time of every thread of every child so far
//      (/proc/PID/task/TID/schedstat, ns; all are alive and blocked), and
//      each child's peak RSS (VmHWM);
//   2. with --idle: sleep SECS and take the snapshot again (CPU used while
//      waiting and idle);
//   3. writes "CPU_NS_AT_1 CPU_NS_AT_2 IDLE_NS THREADS" to OUT.snap and the
//      VmHWM values (kB, one a line) to OUT.rss, then creates OUT.ready;
//   4. reaps every child with wait4 and writes "N CPU_NS FAILURES MINFLT
//      NVCSW NIVCSW" to OUT.done, where CPU_NS is the children's whole CPU
//      time from wait4's rusage (user + system, all threads, and the
//      command each ran), followed by their minor page faults and
//      voluntary and involuntary context switches (for investigations).
// CPU_NS - CPU_NS_AT_2 is then what the waiters used from the release on.
//
// If no SIGUSR1 comes within --timeout (default 600 s), kills the children
// and exits 1. Exits 1 if a child failed, else 0.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

struct Options {
    std::string out;
    long n = 0;
    long spread = 1;
    double idle = 0;
    long timeout = 600;
    char** cmd = nullptr;
    int cmd_len = 0;
};

bool parse(int argc, char** argv, Options& o) {
    if (argc < 5) return false;
    o.out = argv[1];
    o.n = std::strtol(argv[2], nullptr, 10);
    for (int i = 3; i < argc; ++i) {
        if (std::strcmp(argv[i], "--") == 0) {
            o.cmd = argv + i + 1;
            o.cmd_len = argc - i - 1;
            return o.cmd_len > 0 && o.n > 0 && o.spread > 0;
        }
        if (i + 1 >= argc) return false;
        if (std::strcmp(argv[i], "--spread") == 0)
            o.spread = std::strtol(argv[++i], nullptr, 10);
        else if (std::strcmp(argv[i], "--idle") == 0)
            o.idle = std::strtod(argv[++i], nullptr);
        else if (std::strcmp(argv[i], "--timeout") == 0)
            o.timeout = std::strtol(argv[++i], nullptr, 10);
        else
            return false;
    }
    return false;
}

std::string substitute(std::string arg, long value) {
    for (auto at = arg.find("{}"); at != std::string::npos; at = arg.find("{}")) {
        arg.replace(at, 2, std::to_string(value));
    }
    return arg;
}

pid_t spawn(const Options& o, long i) {
    pid_t pid = fork();
    if (pid != 0) return pid;
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    std::string tag = "herd." + std::to_string(i);
    setenv("BENCH_TAG", tag.c_str(), 1);
    std::vector<std::string> words;
    for (int k = 0; k < o.cmd_len; ++k)
        words.push_back(substitute(o.cmd[k], i % o.spread));
    std::vector<char*> argv;
    for (auto& w : words)
        argv.push_back(w.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    std::perror(argv[0]);
    _exit(127);
}

// Sum of the on-CPU time of every thread of pid (ns), and how many threads.
long long thread_cpu_ns(pid_t pid, long& threads) {
    std::string dir = "/proc/" + std::to_string(pid) + "/task";
    DIR* d = opendir(dir.c_str());
    if (d == nullptr) return 0;
    long long sum = 0;
    while (dirent* de = readdir(d)) {
        if (de->d_name[0] == '.') continue;
        std::ifstream in(dir + "/" + de->d_name + "/schedstat");
        long long ns = 0;
        if (in >> ns) {
            sum += ns;
            ++threads;
        }
    }
    closedir(d);
    return sum;
}

long vm_hwm_kb(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
    }
    return -1;
}

long long snapshot(const std::vector<pid_t>& pids, long& threads) {
    long long sum = 0;
    threads = 0;
    for (pid_t pid : pids)
        sum += thread_cpu_ns(pid, threads);
    return sum;
}

bool write_file(const std::string& path, const std::string& text) {
    std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp);
        out << text;
        if (!out.flush()) return false;
    }
    return std::rename(tmp.c_str(), path.c_str()) == 0;
}

void kill_all(const std::vector<pid_t>& pids) {
    for (pid_t pid : pids)
        kill(pid, SIGKILL);
    while (wait(nullptr) > 0 || errno == EINTR) {
    }
}

} // namespace

int main(int argc, char** argv) {
    Options o;
    if (!parse(argc, argv, o)) {
        std::fprintf(
            stderr,
            "usage: herd OUT N [--spread K] [--idle SECS] [--timeout SECS] -- CMD [ARGS...]\n");
        return 64;
    }
    sigset_t go;
    sigemptyset(&go);
    sigaddset(&go, SIGUSR1);
    sigprocmask(SIG_BLOCK, &go, nullptr);

    std::vector<pid_t> pids;
    std::ostringstream pid_list;
    for (long i = 0; i < o.n; ++i) {
        pid_t pid = spawn(o, i);
        if (pid < 0) {
            std::perror("herd: fork");
            kill_all(pids);
            return 1;
        }
        pids.push_back(pid);
        pid_list << pid << "\n";
    }
    if (!write_file(o.out + ".pids", pid_list.str())) {
        std::perror("herd: write pids");
        kill_all(pids);
        return 1;
    }

    timespec limit{o.timeout, 0};
    while (sigtimedwait(&go, nullptr, &limit) < 0) {
        if (errno == EINTR) continue;
        std::fprintf(stderr, "herd: not released within %ld s\n", o.timeout);
        kill_all(pids);
        return 1;
    }
    long threads = 0;
    long long at1 = snapshot(pids, threads);
    std::ostringstream rss;
    for (pid_t pid : pids)
        rss << vm_hwm_kb(pid) << "\n";
    long long at2 = at1;
    long long idle_ns = 0;
    if (o.idle > 0) {
        long long ns = static_cast<long long>(o.idle * 1e9);
        timespec d{static_cast<time_t>(ns / 1000000000LL), static_cast<long>(ns % 1000000000LL)};
        timespec t0{}, t1{};
        clock_gettime(CLOCK_MONOTONIC, &t0);
        while (nanosleep(&d, &d) != 0 && errno == EINTR) {
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        idle_ns = (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
        long threads2 = 0;
        at2 = snapshot(pids, threads2);
    }
    std::ostringstream snap;
    snap << at1 << " " << at2 << " " << idle_ns << " " << threads << "\n";
    if (!write_file(o.out + ".snap", snap.str()) || !write_file(o.out + ".rss", rss.str()) ||
        !write_file(o.out + ".ready", "")) {
        std::perror("herd: write snapshot");
        kill_all(pids);
        return 1;
    }

    long long cpu_ns = 0, minflt = 0, nvcsw = 0, nivcsw = 0;
    long reaped = 0, failures = 0;
    while (reaped < o.n) {
        int status = 0;
        rusage ru{};
        pid_t pid = wait4(-1, &status, 0, &ru);
        if (pid < 0) {
            if (errno == EINTR) continue;
            break;
        }
        ++reaped;
        cpu_ns += (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
                  (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
        minflt += ru.ru_minflt;
        nvcsw += ru.ru_nvcsw;
        nivcsw += ru.ru_nivcsw;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            if (failures++ == 0)
                std::fprintf(stderr, "herd: waiter %d: %s %d\n", pid,
                             WIFEXITED(status) ? "exit status" : "killed by signal",
                             WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        }
    }
    std::ostringstream done;
    done << reaped << " " << cpu_ns << " " << failures << " " << minflt << " " << nvcsw << " "
         << nivcsw << "\n";
    if (!write_file(o.out + ".done", done.str())) {
        std::perror("herd: write result");
        return 1;
    }
    return failures == 0 && reaped == o.n ? 0 : 1;
}
