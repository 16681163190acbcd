// Reading one field of a JSON object strictly: present, of the right type,
// in range. Shared by the parsers of the files coordctl writes.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace coordctl {

// False (out untouched) if `key` is missing, of another type, or out of T's range.
template <typename T> bool take_field(const nlohmann::json& j, const char* key, T& out) {
    auto it = j.find(key);
    if (it == j.end()) return false;
    if constexpr (std::is_same_v<T, std::string>) {
        if (!it->is_string()) return false;
    } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
        if (!it->is_array()) return false;
        for (const auto& word : *it)
            if (!word.is_string()) return false;
    } else if constexpr (std::is_unsigned_v<T>) {
        if (!it->is_number_unsigned() || !std::in_range<T>(it->get<std::uint64_t>())) return false;
    } else {
        if (!it->is_number_integer()) return false;
        // Out of T's range must not wrap into a plausible value (2^32 + 1 is not version 1).
        bool fits = it->is_number_unsigned() ? std::in_range<T>(it->get<std::uint64_t>())
                                             : std::in_range<T>(it->get<std::int64_t>());
        if (!fits) return false;
    }
    out = it->get<T>();
    return true;
}

} // namespace coordctl
