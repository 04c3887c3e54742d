#include "safe_path.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

namespace docklock::rootfs {

int open_in_root(int root_fd, const char* path, int flags) {
    open_how how{};
    how.flags = static_cast<unsigned long long>(flags | O_CLOEXEC);
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    while (*path == '/') ++path;
    if (!*path) path = ".";
    long fd;
    do fd = syscall(SYS_openat2, root_fd, path, &how, sizeof how);
    while (fd < 0 && errno == EAGAIN);
    return static_cast<int>(fd);
}

int mkdir_all_in_root(int root_fd, const char* path, bool last_is_file) {
    char buf[PATH_MAX];
    size_t len = std::strlen(path);
    if (len >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    std::memcpy(buf, path, len + 1);
    int fd = open_in_root(root_fd, buf, O_PATH);
    if (fd >= 0 || errno != ENOENT) return fd;
    // Walk component by component, creating what is missing.
    size_t i = 0;
    while (i < len) {
        while (i < len && buf[i] == '/') ++i;
        if (i >= len) break;
        size_t j = i;
        while (j < len && buf[j] != '/') ++j;
        bool last = j >= len;
        char saved = buf[j];
        buf[j] = '\0';
        int probe = open_in_root(root_fd, buf, O_PATH);
        if (probe < 0) {
            if (errno != ENOENT) return -1;
            // Open the parent (resolved in root), create the component in it.
            char* slash = std::strrchr(buf, '/');
            int parent;
            const char* name;
            if (slash && slash != buf) {
                *slash = '\0';
                parent = open_in_root(root_fd, buf, O_PATH | O_DIRECTORY);
                *slash = '/';
                name = slash + 1;
            } else {
                parent = open_in_root(root_fd, "/", O_PATH | O_DIRECTORY);
                name = slash ? slash + 1 : buf;
            }
            if (parent < 0) return -1;
            int rc;
            if (last && last_is_file) {
                rc = ::openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
                if (rc >= 0) ::close(rc);
            } else {
                rc = ::mkdirat(parent, name, 0755);
            }
            int e = errno;
            ::close(parent);
            if (rc < 0 && e != EEXIST) {
                errno = e;
                return -1;
            }
        } else {
            ::close(probe);
        }
        buf[j] = saved;
        i = j;
    }
    return open_in_root(root_fd, path, O_PATH);
}

}  // namespace docklock::rootfs
