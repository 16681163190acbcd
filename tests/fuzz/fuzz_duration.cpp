// libFuzzer target: the duration parser (core/duration). A duration that
// parses is between zero and ten years, and formats without trouble.
#include "core/duration.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto d = coordctl::parse_duration(text);
    if (!d) return 0;
    constexpr auto ten_years = std::chrono::hours(24 * 366 * 10);
    if (d->count() < 0 || *d > ten_years) __builtin_trap();
    if (coordctl::format_duration(*d).empty()) __builtin_trap();
    return 0;
}
