// coordctl: parse, run, catch once, exit code.
#include "cli.hpp"
#include "core/exit_codes.hpp"
#include "os/files.hpp"
#include "os/process.hpp"
#include "os/terminal.hpp"
#include "protocol/queue.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <malloc.h>
#include <system_error>

namespace {

// A reader that went away (`coordctl status D | head -1`) ends us as SIGPIPE
// would have without coordctl, silently; other errors are reported.
int standard_output_failed(int err) {
    using namespace coordctl;
    if (err == EPIPE) os::die_of_signal(SIGPIPE);
    os::eprint("coordctl: cannot write: standard output: {}\n", std::strerror(err));
    return exit_code::io_error;
}

} // namespace

int main(int argc, char** argv) {
    using namespace coordctl;
    // First: the trampoline execs the command, which must not inherit
    // ignore_write_signals' SIG_IGN.
    if (argc > 1 && std::strcmp(argv[1], os::parent_death_trampoline) == 0)
        return os::exec_with_parent_death_signal(argc, argv);
    // One malloc arena: a helper thread (os/lock_wait.cpp) would otherwise map
    // and trim an arena of its own on its first free, right after it wakes.
#ifdef M_ARENA_MAX // glibc
    mallopt(M_ARENA_MAX, 1);
#endif
    os::ignore_write_signals();
    try {
        os::open_closed_standard_streams();
        int code = run_cli(argc, argv);
        // What was printed must have been written (status, elect --leader...).
        if (std::fflush(stdout) != 0 || std::ferror(stdout)) return standard_output_failed(errno);
        return code;
    } catch (const UsageError& e) {
        os::eprint("coordctl: {}\n", e.what());
        os::eprint("Try 'coordctl {}{}--help'.\n", e.subcommand(),
                   e.subcommand().empty() ? "" : " ");
        return e.code();
    } catch (const Error& e) {
        os::eprint("coordctl: {}\n", e.what());
        os::remove_what_was_created(token_file); // nothing left behind
        return e.code();
    } catch (const std::exception& e) {
        if (std::ferror(stdout)) { // fmt::print's write failed (more than a buffer's worth)
            const auto* failed = dynamic_cast<const std::system_error*>(&e);
            return standard_output_failed(failed ? failed->code().value() : EIO);
        }
        os::eprint("coordctl: internal error: {}\n", e.what());
        return exit_code::internal;
    }
}
