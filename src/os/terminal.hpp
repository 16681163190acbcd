// The terminal, for the progress line and signal forwarding; standard output.
#pragma once

namespace coordctl::os {

// Flushes standard output: 0, or the error, for the caller to report; what
// stdio still holds for it is then dropped and its error cleared, so that
// the final flush (main) does not report it again.
int flush_standard_output();

bool is_terminal(int fd);
// True when we run in the foreground process group of our controlling
// terminal: keys like ^C then signal our command directly, too.
bool in_terminal_foreground();

} // namespace coordctl::os
