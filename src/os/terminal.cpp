#include "os/terminal.hpp"

#include "core/progress.hpp"

#include <cerrno>
#include <cstdio>
#include <stdio_ext.h>
#include <string>
#include <sys/ioctl.h>
#include <unistd.h>

namespace coordctl::os {

bool is_terminal(int fd) { return ::isatty(fd) == 1; }

bool in_terminal_foreground() {
    for (int fd = 0; fd < 3; ++fd) {
        if (is_terminal(fd)) return ::tcgetpgrp(fd) == ::getpgrp();
    }
    return false;
}

namespace {
bool status_line_drawn = false;
void write_as_is(std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stderr);
}
// Not as a background job (a shell with job control put us there, ^Z and
// bg): a line drawn or erased would spoil what the foreground shows, and
// under `stty tostop` the write would stop us (SIGTTOU). A terminal that is
// not our controlling one (-1) has no foreground to respect.
bool may_draw() {
    pid_t foreground = ::tcgetpgrp(STDERR_FILENO);
    return foreground == -1 || foreground == ::getpgrp();
}
} // namespace

void write_stderr(std::string_view text) {
    erase_status_line();
    write_as_is(text);
}

void draw_status_line(std::string_view text) {
    if (!may_draw()) return;
    // A line longer than the terminal is wide would wrap, and "\r\033[K"
    // erases only its last row: each redraw would leave the others behind.
    struct winsize size {};
    std::size_t columns = ::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 ? size.ws_col : 0;
    write_as_is(std::string("\r\033[K").append(fit_to_width(text, columns)));
    status_line_drawn = true;
}

void erase_status_line() {
    if (status_line_drawn && may_draw()) write_as_is("\r\033[K");
    status_line_drawn = false;
}

int flush_standard_output() {
    if (std::fflush(stdout) == 0) return 0;
    int err = errno;
    __fpurge(stdout); // glibc (and musl)
    std::clearerr(stdout);
    return err;
}

} // namespace coordctl::os
