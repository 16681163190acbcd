// Durations on the command line: "500ms", "30s", "2m", "1h30m", or a bare
// number of seconds with an optional fraction ("1.5"), as flock(1) takes.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace coordctl {

using Duration = std::chrono::milliseconds;

// nullopt for anything malformed, negative or longer than ten years. Rounded to the
// nearest millisecond, but a positive duration never rounds down to zero.
std::optional<Duration> parse_duration(std::string_view text);

// Short human form: "450ms", "12s", "3m05s", "2h01m".
std::string format_duration(Duration d);

} // namespace coordctl
