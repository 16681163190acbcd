// The waiting mark's test on real files: the three answers of
// os::marked_waiting, which the callers turn into what is safe for them.
#include "os/fd.hpp"
#include "os/files.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fcntl.h>
#include <string>
#include <unistd.h>

using namespace coordctl;

namespace {
struct TempFile {
    std::string path;
    TempFile() {
        const char* tmp = std::getenv("TMPDIR");
        path = std::string(tmp && *tmp ? tmp : "/tmp") + "/coordctl-unit-mark.XXXXXX";
        os::UniqueFd fd(::mkstemp(path.data()));
        REQUIRE(fd);
    }
    ~TempFile() { ::unlink(path.c_str()); }
    os::UniqueFd open(int flags) const {
        return os::UniqueFd(::open(path.c_str(), flags | O_CLOEXEC));
    }
};
} // namespace

TEST_CASE("marked_waiting: marked by another open file, not marked, cannot tell") {
    TempFile file;
    auto owner = file.open(O_RDWR);
    auto observer = file.open(O_RDONLY);
    REQUIRE(owner);
    REQUIRE(observer);

    CHECK(os::marked_waiting(observer.get()) == false);
    os::mark_waiting(owner.get(), file.path);
    CHECK(os::marked_waiting(observer.get()) == true);
    os::mark_granted(owner.get());
    CHECK(os::marked_waiting(observer.get()) == false);

    // A descriptor the lock test fails on (O_PATH: EBADF) gives no answer,
    // rather than "not marked", which would let an entry be taken for abandoned.
    os::mark_waiting(owner.get(), file.path);
    auto path_only = file.open(O_PATH);
    REQUIRE(path_only);
    CHECK_FALSE(os::marked_waiting(path_only.get()).has_value());
    CHECK_FALSE(os::marked_waiting(-1).has_value());
    // Nor can a wait on it tell that the mark or the owner lock is gone.
    CHECK_FALSE(os::await_no_waiting_mark(path_only.get()));
    CHECK_FALSE(os::await_no_owner_lock(path_only.get()));
    os::mark_granted(owner.get());
    CHECK(os::await_no_waiting_mark(observer.get()));
    CHECK(os::await_no_owner_lock(observer.get()));
}

TEST_CASE("marked_waiting: an observer's read lock on the mark's byte is not a mark") {
    TempFile file;
    auto observer = file.open(O_RDONLY);
    auto other = file.open(O_RDONLY);
    REQUIRE(observer);
    REQUIRE(other);
    // What await_no_waiting_mark holds for a moment once the mark has gone.
    struct flock range {};
    range.l_type = F_RDLCK;
    range.l_whence = SEEK_SET;
    range.l_start = 1;
    range.l_len = 1;
    REQUIRE(::fcntl(other.get(), F_OFD_SETLK, &range) == 0);
    CHECK(os::marked_waiting(observer.get()) == false);
}
