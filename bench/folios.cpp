// bench/folios.cpp - how a file sits in the page cache, for scripts/bench.
//
//   folios FILE...
//
// Prints, per FILE: "PAGES RESIDENT LARGE FILE", the file's size in pages,
// how many of them are cached, and how many of those belong to a large
// folio (a compound page of several pages, physically contiguous). An
// executable whose cached pages are order-0 folios scattered over memory
// (what a linker's writes, or paging in a file through exec after the
// cache dropped it, can leave) runs measurably slower on some hosts than
// the same bytes cached in large folios (what a copy written in big chunks,
// as cp, install and meson install make, leaves): see doc/performance.md.
// Only pages already cached are looked at (mincore), but mapping one may
// start readahead of the next ones and so change a later look: scripts/bench
// looks once, after all rows. LARGE counts the pages whose frame could be looked
// up; it is "?" if none could (no access to /proc/self/pagemap's frame
// numbers and /proc/kpageflags: root with CAP_SYS_ADMIN).
#include <cstdint>
#include <cstdio>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace {

constexpr int kpf_compound_head = 15;
constexpr int kpf_compound_tail = 16;

bool read_u64(int fd, std::uint64_t index, std::uint64_t& out) {
    return ::pread(fd, &out, sizeof out, static_cast<off_t>(index * sizeof out)) == sizeof out;
}

int report(const char* path, int pagemap, int kpageflags) {
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    struct stat st {};
    if (fd < 0 || ::fstat(fd, &st) != 0) {
        std::perror(path);
        if (fd >= 0) ::close(fd);
        return 1;
    }
    const long page = ::sysconf(_SC_PAGESIZE);
    const std::size_t pages = (static_cast<std::size_t>(st.st_size) + page - 1) / page;
    if (pages == 0) {
        std::printf("0 0 0 %s\n", path);
        ::close(fd);
        return 0;
    }
    auto* map = static_cast<volatile unsigned char*>(
        ::mmap(nullptr, st.st_size, PROT_READ, MAP_SHARED, fd, 0));
    ::close(fd);
    if (map == MAP_FAILED) {
        std::perror(path);
        return 1;
    }
    std::vector<unsigned char> cached(pages);
    if (::mincore(const_cast<unsigned char*>(map), st.st_size, cached.data()) != 0) {
        std::perror(path);
        ::munmap(const_cast<unsigned char*>(map), st.st_size);
        return 1;
    }
    std::size_t resident = 0, looked_up = 0, large = 0;
    const auto first = reinterpret_cast<std::uintptr_t>(map) / page;
    for (std::size_t i = 0; i < pages; ++i) {
        if (!(cached[i] & 1)) continue;
        ++resident;
        if (pagemap < 0 || kpageflags < 0) continue;
        (void)map[i * page]; // map the cached page, so that pagemap names its frame
        std::uint64_t entry = 0, flags = 0;
        bool present = read_u64(pagemap, first + i, entry) && (entry >> 63);
        std::uint64_t pfn = entry & ((1ULL << 55) - 1); // 0 without CAP_SYS_ADMIN
        if (!present || pfn == 0 || !read_u64(kpageflags, pfn, flags)) continue; // reclaimed meanwhile
        ++looked_up;
        if ((flags >> kpf_compound_head & 1) || (flags >> kpf_compound_tail & 1)) ++large;
    }
    ::munmap(const_cast<unsigned char*>(map), st.st_size);
    if (looked_up > 0 || resident == 0)
        std::printf("%zu %zu %zu %s\n", pages, resident, large, path);
    else
        std::printf("%zu %zu ? %s\n", pages, resident, path);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: folios FILE...\n");
        return 64;
    }
    int pagemap = ::open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    int kpageflags = ::open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
    int rc = 0;
    for (int i = 1; i < argc; ++i) rc |= report(argv[i], pagemap, kpageflags);
    return rc;
}
