// The one error type: what failed, on which path, the OS reason, and the exit code.
#pragma once

#include <stdexcept>
#include <string>

namespace coordctl {

// Exit code for a failed system call, by errno (see coordctl(1), EXIT STATUS).
int exit_code_for_errno(int err);

class Error : public std::runtime_error {
  public:
    // A failed system call: "coordctl: <what>: <path>: <strerror(err)>".
    Error(std::string what, std::string path, int err);
    // Anything else, with an explicit exit code: "coordctl: <what>[: <path>]".
    Error(int code, std::string what, std::string path = {});

    int code() const { return code_; }

  private:
    int code_;
};

} // namespace coordctl
