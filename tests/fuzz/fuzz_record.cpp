// libFuzzer target: the wait-file record parsers (core/record). Any input must
// parse or be rejected without crashing, a record that parses must survive
// format_record -> parse_record unchanged, and parse_grant_facts must read
// the same token and held_ms from it.
#include "core/record.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto record = coordctl::parse_record(text);
    auto facts = coordctl::parse_grant_facts(text);
    if (!record) return 0;
    if (!facts || facts->token != record->token || facts->held_ms != record->held_ms)
        __builtin_trap();
    auto again = coordctl::parse_record(coordctl::format_record(*record));
    // format_record replaces invalid UTF-8, so only the valid-text records must round-trip.
    if (!again) __builtin_trap();
    if (again->token != record->token || again->pid != record->pid ||
        again->ttl_ms != record->ttl_ms || again->mode != record->mode)
        __builtin_trap();
    return 0;
}
