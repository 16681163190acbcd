// bench/listdir.cpp - what reading a queue directory costs, for scripts/bench.
//
//   listdir DIR RUNS
//
// Reads every name in DIR (getdents64 through readdir(3), from the start)
// RUNS times and prints the median time of one full read in ns: what a
// waiter pays each time it re-reads the queue (SPEC §2: after every
// wake-up), as a function of the number of entries.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <dirent.h>
#include <vector>

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: listdir DIR RUNS\n");
        return 64;
    }
    char* end = nullptr;
    long runs = std::strtol(argv[2], &end, 10);
    if (*end != '\0' || runs < 1) {
        std::fprintf(stderr, "listdir: RUNS must be a positive number\n");
        return 64;
    }
    DIR* dir = opendir(argv[1]);
    if (dir == nullptr) {
        std::perror(argv[1]);
        return 1;
    }
    std::vector<long long> ns;
    long names = 0;
    for (long r = 0; r < runs; ++r) {
        timespec a{}, b{};
        clock_gettime(CLOCK_MONOTONIC, &a);
        rewinddir(dir);
        names = 0;
        while (readdir(dir) != nullptr) ++names;
        clock_gettime(CLOCK_MONOTONIC, &b);
        ns.push_back((b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec));
    }
    std::nth_element(ns.begin(), ns.begin() + ns.size() / 2, ns.end());
    std::printf("%lld %ld\n", ns[ns.size() / 2], names);
    closedir(dir);
    return 0;
}
