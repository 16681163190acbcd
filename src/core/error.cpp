#include "core/error.hpp"

#include "core/exit_codes.hpp"

#include <cerrno>
#include <cstring>

namespace coordctl {

int exit_code_for_errno(int err) {
    switch (err) {
    case EACCES:
    case EPERM:
        return exit_code::no_perm;
    case EROFS:
    case ENOSPC:
    case EDQUOT:
    case ENOTDIR:
    case EEXIST:
    case ELOOP:
    case EISDIR:
    case ENAMETOOLONG:
    case EMLINK:
    case ENOENT:
        return exit_code::cant_create;
    default:
        return exit_code::io_error;
    }
}

bool out_of_resources(int err) {
    return err == EMFILE || err == ENFILE || err == EAGAIN || err == ENOMEM;
}

int exit_code_for_spawn_errno(int err) {
    if (err == ENOENT) return exit_code::not_found;
    if (out_of_resources(err)) return exit_code::io_error; // ours, not the command's fault
    return exit_code::cannot_exec;
}

namespace {
std::string join_message(const std::string& what, const std::string& path, const char* reason) {
    std::string msg = what;
    if (!path.empty()) msg += ": " + path;
    if (reason != nullptr) msg += std::string(": ") + reason;
    return msg;
}
} // namespace

Error::Error(std::string what, std::string path, int err)
    : std::runtime_error(join_message(what, path, std::strerror(err))),
      code_(exit_code_for_errno(err)), os_error_(err) {}

Error::Error(int code, std::string what, std::string path)
    : std::runtime_error(join_message(what, path, nullptr)), code_(code) {}

} // namespace coordctl
