// The one error type: what failed, on which path, the OS reason, and the exit code.
#pragma once

#include <stdexcept>
#include <string>

namespace coordctl {

// Exit code for a failed system call, by errno (see coordctl(1), EXIT STATUS).
int exit_code_for_errno(int err);
// Exit code when the command could not be started: 127 not found, 74 when
// coordctl ran out of a resource (EMFILE, EAGAIN...), else 126.
int exit_code_for_spawn_errno(int err);
// EMFILE, ENFILE, EAGAIN, ENOMEM: this process ran out of descriptors, processes or memory.
bool out_of_resources(int err);

class Error : public std::runtime_error {
  public:
    // A failed system call: "coordctl: <what>: <path>: <strerror(err)>".
    Error(std::string what, std::string path, int err);
    // Anything else, with an explicit exit code: "coordctl: <what>[: <path>]".
    Error(int code, std::string what, std::string path = {});

    int code() const { return code_; }
    int os_error() const { return os_error_; } // the errno of a failed system call, else 0

  private:
    int code_;
    int os_error_ = 0;
};

} // namespace coordctl
