#include "core/path.hpp"

#include <algorithm>

namespace coordctl {

std::string tidy_path(std::string_view path) {
    bool absolute = !path.empty() && path.front() == '/';
    std::string tidy;
    std::size_t start = 0;
    while (start <= path.size()) {
        auto end = std::min(path.find('/', start), path.size());
        auto part = path.substr(start, end - start);
        if (!part.empty() && part != ".") {
            if (absolute || !tidy.empty()) tidy += '/';
            tidy += part;
        }
        start = end + 1;
    }
    if (tidy.empty()) return absolute ? "/" : ".";
    return tidy;
}

} // namespace coordctl
