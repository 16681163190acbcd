// libFuzzer target: the wait-file name parser and the token file parser
// (core/entry_name). A name that parses is printed back identically; the
// marks of a token file that parse survive format_token_file ->
// parse_token_file.
#include "core/entry_name.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto name = coordctl::parse_entry_name(text)) {
        if (name->str() != text || name->token == 0) __builtin_trap();
    }
    auto marks = coordctl::parse_token_file(text);
    if (marks.high && marks.cut) {
        auto again = coordctl::parse_token_file(coordctl::format_token_file(*marks.high, *marks.cut));
        if (again.high != marks.high || again.cut != marks.cut) __builtin_trap();
    }
    return 0;
}
