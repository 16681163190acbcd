// libFuzzer target: the wait-file record parsers (core/record). Any input must
// parse or be rejected without crashing, a record that parses must survive
// format_record -> parse_record unchanged, and parse_grant_facts must read
// the same token and held_ms from it. What parse_grant_facts accepts that
// parse_record does not must still be one JSON object of the current
// version whose token (and held_ms, if present) parse_record's field
// checks accept: its other fields are what it does not read.
#include "core/json_field.hpp"
#include "core/record.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

bool has_valid_grant_fields(std::string_view text) {
    auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) return false;
    int version = 0;
    std::uint64_t token = 0;
    std::int64_t held_ms = 0;
    return coordctl::take_field(j, "version", version) &&
           version == coordctl::Record::current_version &&
           coordctl::take_field(j, "token", token) &&
           (!j.contains("held_ms") || coordctl::take_field(j, "held_ms", held_ms));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto record = coordctl::parse_record(text);
    auto facts = coordctl::parse_grant_facts(text);
    if (!record) {
        if (facts && !has_valid_grant_fields(text)) __builtin_trap();
        return 0;
    }
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
