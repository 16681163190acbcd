// The terminal, for the progress line and signal forwarding.
#pragma once

namespace coordctl::os {

bool is_terminal(int fd);
// True when we run in the foreground process group of our controlling
// terminal: keys like ^C then signal our command directly, too.
bool in_terminal_foreground();

} // namespace coordctl::os
