#include "procfs.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace docklock::process {

namespace {
bool is_procfs(int fd) {
    struct statfs sf {};
    return ::fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
}
}  // namespace

int write_proc_verified(const char* path, const char* value) {
    if (std::strncmp(path, "/proc/", 6) != 0) {
        errno = EINVAL;
        return -1;
    }
    int proc = ::open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (proc < 0) return -1;
    if (!is_procfs(proc)) {
        ::close(proc);
        errno = EXDEV;
        return -1;
    }
    open_how how{};
    how.flags = O_WRONLY | O_CLOEXEC | O_NOFOLLOW;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS;
    int fd;
    do fd = static_cast<int>(syscall(SYS_openat2, proc, path + 6, &how, sizeof how));
    while (fd < 0 && errno == EAGAIN);
    int e = errno;
    ::close(proc);
    if (fd < 0) {
        errno = e;
        return -1;
    }
    if (!is_procfs(fd)) {
        ::close(fd);
        errno = EXDEV;
        return -1;
    }
    size_t len = std::strlen(value);
    ssize_t n = ::write(fd, value, len);
    e = errno;
    ::close(fd);
    errno = e;
    return n == static_cast<ssize_t>(len) ? 0 : -1;
}

}  // namespace docklock::process
