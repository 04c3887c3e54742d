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

namespace {

// One pass over the components of buf, creating what is missing. Returns 1 when a dangling
// symlink was met and buf now holds the path with it replaced by its target (resolved in root).
int create_components(int root_fd, char* buf, bool last_is_file) {
    size_t len = std::strlen(buf), i = 0;
    while (i < len) {
        while (i < len && buf[i] == '/') ++i;
        if (i >= len) break;
        size_t j = i;
        while (j < len && buf[j] != '/') ++j;
        bool last = j >= len;
        char saved = buf[j];
        buf[j] = '\0';
        int probe = open_in_root(root_fd, buf, O_PATH);
        if (probe >= 0) {
            ::close(probe);
            buf[j] = saved;
            i = j;
            continue;
        }
        if (errno != ENOENT) return -1;
        // The parent resolves (earlier components exist); create the component in it.
        char* name = buf + i;
        int parent;
        if (i > 0) {
            buf[i - 1] = '\0';
            parent = open_in_root(root_fd, buf, O_PATH | O_DIRECTORY);
            buf[i - 1] = '/';
        } else {
            parent = open_in_root(root_fd, "/", O_PATH | O_DIRECTORY);
        }
        if (parent < 0) return -1;
        int rc;
        if (last && last_is_file) {
            rc = ::openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
            if (rc >= 0) ::close(rc);
        } else {
            rc = ::mkdirat(parent, name, 0755);
        }
        if (rc < 0 && errno == EEXIST) {
            // Exists but does not resolve: a dangling symlink. Continue at its target, inside the root.
            char target[PATH_MAX], next[PATH_MAX];
            ssize_t n = ::readlinkat(parent, name, target, sizeof target - 1);
            ::close(parent);
            if (n < 0) return -1;
            target[n] = '\0';
            buf[j] = saved;
            size_t off = 0;
            auto put = [&](const char* s, size_t l) {
                if (off + l >= sizeof next) return false;
                std::memcpy(next + off, s, l);
                off += l;
                return true;
            };
            bool ok = true;
            if (target[0] != '/') ok = put(buf, i);  // the directory holding the link
            ok = ok && put(target, static_cast<size_t>(n)) && put(buf + j, len - j);
            if (!ok) {
                errno = ENAMETOOLONG;
                return -1;
            }
            next[off] = '\0';
            std::memcpy(buf, next, off + 1);
            return 1;
        }
        int e = errno;
        ::close(parent);
        if (rc < 0) {
            errno = e;
            return -1;
        }
        buf[j] = saved;
        i = j;
    }
    return 0;
}

}  // namespace

int mkdir_all_in_root(int root_fd, const char* path, bool last_is_file) {
    char buf[PATH_MAX];
    size_t len = std::strlen(path);
    if (len >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    std::memcpy(buf, path, len + 1);
    for (int hops = 0; hops < 40; ++hops) {
        int fd = open_in_root(root_fd, buf, O_PATH);
        if (fd >= 0 || errno != ENOENT) return fd;
        int rc = create_components(root_fd, buf, last_is_file);
        if (rc < 0) return -1;
        if (rc == 0) return open_in_root(root_fd, buf, O_PATH);
    }
    errno = ELOOP;
    return -1;
}

}  // namespace docklock::rootfs
