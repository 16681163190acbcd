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

std::string parent_path(std::string_view path) {
    auto tidy = tidy_path(path);
    if (tidy == "/") return tidy;
    if (tidy == ".") return "..";
    auto slash = tidy.rfind('/');
    auto last = slash == std::string::npos ? std::string_view(tidy)
                                           : std::string_view(tidy).substr(slash + 1);
    if (last == "..") return tidy + "/..";
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : tidy.substr(0, slash);
}

} // namespace coordctl
