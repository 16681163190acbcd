// Every exit status coordctl can return, in one place (documented in coordctl(1)).
#pragma once

namespace coordctl::exit_code {
inline constexpr int ok = 0;
inline constexpr int failure = 1;      // generic failure of a subcommand (e.g. barrier already set)
inline constexpr int usage = 64;       // EX_USAGE: bad command line
inline constexpr int internal = 70;    // EX_SOFTWARE: a bug in coordctl
inline constexpr int cant_create = 73; // EX_CANTCREAT: DIR or a wait file cannot be created
inline constexpr int io_error = 74;    // EX_IOERR: any other filesystem error
inline constexpr int conflict = 75;    // EX_TEMPFAIL: not acquired (-n, -w); see -E
inline constexpr int no_perm = 77;     // EX_NOPERM: permission denied
inline constexpr int lost = 79;        // the hold was lost while the command ran
inline constexpr int cannot_exec = 126;
inline constexpr int not_found = 127;
inline constexpr int signal_base = 128; // 128+N: the command died of signal N
} // namespace coordctl::exit_code
