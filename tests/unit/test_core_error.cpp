#include "core/error.hpp"

#include "core/exit_codes.hpp"

#include <doctest/doctest.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

using coordctl::Error;
using coordctl::exit_code_for_errno;
using coordctl::exit_code_for_spawn_errno;
namespace exit_code = coordctl::exit_code;

TEST_CASE("exit_code_for_errno: permission problems are 77") {
    CHECK(exit_code_for_errno(EACCES) == 77);
    CHECK(exit_code_for_errno(EPERM) == 77);
    CHECK(exit_code::no_perm == 77);
}

TEST_CASE("exit_code_for_errno: what stops creating a file is 73") {
    for (int err :
         {EROFS, ENOSPC, EDQUOT, ENOTDIR, EEXIST, ELOOP, EISDIR, ENAMETOOLONG, EMLINK, ENOENT}) {
        CAPTURE(std::string(std::strerror(err)));
        CHECK(exit_code_for_errno(err) == 73);
    }
    CHECK(exit_code::cant_create == 73);
}

TEST_CASE("exit_code_for_errno: any other error is an I/O error, 74") {
    for (int err : {EIO, EBADF, EINVAL, ENOMEM, EMFILE, ESTALE, 0}) {
        CAPTURE(err);
        CHECK(exit_code_for_errno(err) == 74);
    }
    CHECK(exit_code::io_error == 74);
}

TEST_CASE("exit_code_for_spawn_errno: 127 not found, 74 out of resources, else 126") {
    CHECK(exit_code_for_spawn_errno(ENOENT) == 127);
    for (int err : {EMFILE, ENFILE, EAGAIN, ENOMEM}) {
        CAPTURE(std::string(std::strerror(err)));
        CHECK(exit_code_for_spawn_errno(err) == 74);
    }
    for (int err : {EACCES, ENOEXEC, EPERM, EISDIR, ENOTDIR, ELOOP, ETXTBSY}) {
        CAPTURE(std::string(std::strerror(err)));
        CHECK(exit_code_for_spawn_errno(err) == 126);
    }
}

TEST_CASE("Error from errno: message and exit code") {
    Error e("cannot create wait file", "/tmp/q/1-00000000000000000042-x", ENOENT);
    CHECK(std::string(e.what()) ==
          "cannot create wait file: /tmp/q/1-00000000000000000042-x: No such file or directory");
    CHECK(e.code() == 73);

    Error denied("cannot open", "/root/q", EACCES);
    CHECK(std::string(denied.what()) == "cannot open: /root/q: Permission denied");
    CHECK(denied.code() == 77);

    Error io("cannot read", "/mnt/q/.token", EIO);
    CHECK(std::string(io.what()) ==
          std::string("cannot read: /mnt/q/.token: ") + std::strerror(EIO));
    CHECK(io.code() == 74);
}

TEST_CASE("Error from errno without a path") {
    Error e("cannot watch", "", ENOSPC);
    CHECK(std::string(e.what()) == "cannot watch: No space left on device");
    CHECK(e.code() == 73);
}

TEST_CASE("Error with an explicit exit code") {
    Error with_path(exit_code::usage, "not a queue directory", "/etc/passwd");
    CHECK(std::string(with_path.what()) == "not a queue directory: /etc/passwd");
    CHECK(with_path.code() == 64);

    Error bare(exit_code::internal, "unexpected state");
    CHECK(std::string(bare.what()) == "unexpected state");
    CHECK(bare.code() == 70);
}

TEST_CASE("Error is caught as a std::runtime_error") {
    bool caught = false;
    try {
        throw Error("cannot lock", "/tmp/q", EBADF);
    } catch (const std::runtime_error& e) {
        caught = true;
        CHECK(std::string(e.what()) == "cannot lock: /tmp/q: Bad file descriptor");
    }
    CHECK(caught);
    CHECK_THROWS_AS(throw Error(exit_code::failure, "barrier already set"), Error);
}
