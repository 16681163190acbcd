// The words of the waiting line and of conflict messages.
#pragma once

#include "core/duration.hpp"
#include "core/record.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace coordctl {

// "1234@host [label] (sleep 5)", or "an unknown owner" without a readable record.
std::string describe_owner(const std::optional<Record>& record);

struct WaitStatus {
    std::size_t position = 0;
    std::size_t ahead = 0;
    std::string holder;     // describe_owner() of the first entry
    Duration holder_age{0}; // how long the first entry has been in the queue
};

// "waiting for DIR: position 3 (2 ahead), held by 1234@host (sleep 5) for 12s"
std::string format_wait_status(const std::string& dir, const WaitStatus& status);

// dbarrier, waiting to enter: "waiting for DIR: 2 of 3 participants have entered (12s)"
std::string format_fill_status(const std::string& dir, std::size_t entered, std::size_t count,
                               Duration waited);
// dbarrier, waiting to exit: "waiting for DIR: 1 of 3 members not done yet (4s)"
std::string format_drain_status(const std::string& dir, std::size_t not_done, std::size_t count,
                                Duration waited);
// "waiting for barrier PATH to be lifted, set by 1234@host 5s ago" (setter as
// describe_setter() says it, or "" for a file coordctl did not write).
std::string format_barrier_status(const std::string& path, const std::string& setter);

// A progress line cut to fit a terminal `columns` wide, without reaching its
// last column (where a terminal may wrap): "..." ends a line that was cut.
// Counts a terminal's columns: a wide (CJK, emoji) character two, a combining
// mark none, U+FE0F one after a narrow character (emoji presentation); never
// cuts a UTF-8 sequence in two, nor a character from its marks. 0 columns:
// unknown, as is.
std::string fit_to_width(std::string_view line, std::size_t columns);

} // namespace coordctl
