// The terminal, for the progress line and signal forwarding; standard output.
#pragma once

#include "core/record.hpp"

#include <fmt/format.h>

#include <string_view>
#include <utility>

namespace coordctl::os {

// Writes `text` to standard error as it is, after erasing the status line
// if one is drawn. A write that fails (a pipe whose reader is gone: SIGPIPE
// is ignored, see ignore_write_signals) is dropped, never thrown: nothing
// could report it, and what follows (removing our entry) must still run.
void write_stderr(std::string_view text);

// The status line on a terminal (the progress of a wait), redrawn in place:
// a message written meanwhile erases it first, so that it starts a line of
// its own; the next draw puts it back. Cut to the terminal's width.
void draw_status_line(std::string_view text);
void erase_status_line();

// A message on standard error, as one line: control characters in it (a
// newline in a DIR's name) are escaped (one_line), but for a final newline.
template <typename... T> void eprint(fmt::format_string<T...> format, T&&... args) {
    auto text = fmt::format(format, std::forward<T>(args)...);
    bool newline = !text.empty() && text.back() == '\n';
    if (newline) text.pop_back();
    text = one_line(text);
    if (newline) text += '\n';
    write_stderr(text);
}

// Flushes standard output: 0, or the error, for the caller to report; what
// stdio still holds for it is then dropped and its error cleared, so that
// the final flush (main) does not report it again.
int flush_standard_output();

bool is_terminal(int fd);
// True when we run in the foreground process group of our controlling
// terminal: keys like ^C then signal our command directly, too.
bool in_terminal_foreground();

} // namespace coordctl::os
