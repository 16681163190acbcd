#include "os/terminal.hpp"

#include <cerrno>
#include <cstdio>
#include <stdio_ext.h>
#include <unistd.h>

namespace coordctl::os {

bool is_terminal(int fd) { return ::isatty(fd) == 1; }

bool in_terminal_foreground() {
    for (int fd = 0; fd < 3; ++fd) {
        if (is_terminal(fd)) return ::tcgetpgrp(fd) == ::getpgrp();
    }
    return false;
}

void write_stderr(std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stderr);
}

int flush_standard_output() {
    if (std::fflush(stdout) == 0) return 0;
    int err = errno;
    __fpurge(stdout); // glibc (and musl)
    std::clearerr(stdout);
    return err;
}

} // namespace coordctl::os
