// libFuzzer target: the wait-file name parser and the token mark parser
// (core/entry_name). A name that parses is printed back identically; a
// token that parses survives format_token -> parse_token.
#include "core/entry_name.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto name = coordctl::parse_entry_name(text)) {
        if (name->str() != text || name->token == 0) __builtin_trap();
    }
    if (auto token = coordctl::parse_token(text)) {
        if (coordctl::parse_token(coordctl::format_token(*token)) != token) __builtin_trap();
    }
    return 0;
}
