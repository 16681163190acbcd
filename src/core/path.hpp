#pragma once

#include <string>
#include <string_view>

namespace coordctl {

// The path without its empty and "." components ("a//./b/" is "a/b"); ".."
// is kept, as only the filesystem knows where it leads (symbolic links).
// "" and "." give ".", "/" and "//" give "/".
std::string tidy_path(std::string_view path);
// The directory the tidied path is in: "a/b" gives "a", "b" gives ".", "/b"
// gives "/"; "..", "." and "/" give "..", ".." and "/" ("../.." for "..").
std::string parent_path(std::string_view path);

} // namespace coordctl
