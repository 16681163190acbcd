#include "os/terminal.hpp"

#include <unistd.h>

namespace coordctl::os {

bool is_terminal(int fd) { return ::isatty(fd) == 1; }

bool in_terminal_foreground() {
    for (int fd = 0; fd < 3; ++fd) {
        if (is_terminal(fd)) return ::tcgetpgrp(fd) == ::getpgrp();
    }
    return false;
}

} // namespace coordctl::os
