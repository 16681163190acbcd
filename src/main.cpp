// coordctl: parse, run, catch once, exit code.
#include "cli.hpp"
#include "core/exit_codes.hpp"
#include "os/files.hpp"
#include "os/process.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <cstring>
#include <malloc.h>

int main(int argc, char** argv) {
    using namespace coordctl;
    if (argc > 1 && std::strcmp(argv[1], os::parent_death_trampoline) == 0)
        return os::exec_with_parent_death_signal(argc, argv);
    // One malloc arena: a helper thread (os/lock_wait.cpp) would otherwise map
    // and trim an arena of its own on its first free, right after it wakes.
#ifdef M_ARENA_MAX // glibc
    mallopt(M_ARENA_MAX, 1);
#endif
    try {
        os::open_closed_standard_streams();
        int code = run_cli(argc, argv);
        // What was printed must have been written (status, elect --leader...).
        if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
            fmt::print(stderr, "coordctl: cannot write: standard output: {}\n",
                       std::strerror(errno));
            return exit_code::io_error;
        }
        return code;
    } catch (const UsageError& e) {
        fmt::print(stderr, "coordctl: {}\nTry 'coordctl {}{}--help'.\n", e.what(), e.subcommand(),
                   e.subcommand().empty() ? "" : " ");
        return e.code();
    } catch (const Error& e) {
        fmt::print(stderr, "coordctl: {}\n", e.what());
        os::remove_directories_created(); // nothing left behind
        return e.code();
    } catch (const std::exception& e) {
        if (std::ferror(stdout)) { // fmt::print's write failed (more than a buffer's worth)
            fmt::print(stderr, "coordctl: cannot write: standard output: {}\n", e.what());
            return exit_code::io_error;
        }
        fmt::print(stderr, "coordctl: internal error: {}\n", e.what());
        return exit_code::internal;
    }
}
