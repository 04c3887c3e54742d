// Errors that carry what failed (a field, a path) and the errno, printed as one line.
#pragma once
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace docklock {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& what, int err = 0)
        : std::runtime_error(err ? what + ": " + std::strerror(err) : what), errno_(err) {}
    int code() const noexcept { return errno_; }

private:
    int errno_;
};

// Throw with the current errno appended: sys_fail("open " + path).
[[noreturn]] inline void sys_fail(const std::string& what) {
    throw Error(what, errno);
}

}  // namespace docklock
