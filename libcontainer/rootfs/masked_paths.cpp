// After pivot_root: linux.maskedPaths, linux.readonlyPaths and root.readonly.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>

#include "../process/child.hpp"
#include "../util/cbuf.hpp"
#include "locked_flags.hpp"
#include "rootfs.hpp"
#include "safe_path.hpp"

namespace docklock::rootfs {

using process::child_die;

namespace {

void mask(int root, int devnull, const char* path) {
    int fd = open_in_root(root, path, O_PATH | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT) return;
        child_die("open masked path", path, errno);
    }
    struct stat st;
    if (::fstat(fd, &st) < 0) child_die("stat masked path", path, errno);
    auto p = fd_path(fd);
    int rc;
    if (S_ISDIR(st.st_mode)) {
        rc = ::mount("tmpfs", p.c_str(), "tmpfs", MS_RDONLY, "size=0k");
    } else {
        auto np = fd_path(devnull);
        rc = ::mount(np.c_str(), p.c_str(), nullptr, MS_BIND, nullptr);
    }
    if (rc < 0 && errno != ENOENT) child_die("mask", path, errno);
    ::close(fd);
}

void make_readonly(int root, const char* path) {
    int fd = open_in_root(root, path, O_PATH | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT) return;
        child_die("open readonly path", path, errno);
    }
    auto p = fd_path(fd);
    if (::mount(p.c_str(), p.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0) child_die("bind readonly path", path, errno);
    ::close(fd);
    fd = open_in_root(root, path, O_PATH | O_NOFOLLOW);
    auto p2 = fd_path(fd);
    unsigned long f = MS_BIND | MS_REMOUNT | MS_RDONLY | current_mount_flags(p2.c_str(), false);
    if (::mount(nullptr, p2.c_str(), nullptr, f, nullptr) < 0) child_die("remount read-only", path, errno);
    ::close(fd);
}

}  // namespace

void finalize(const process::RootfsPlan& p) {
    int root = ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0) child_die("open", "/", errno);
    if (!p.masked.empty()) {
        // Bind only a real /dev/null (char 1:3): a rootfs may plant a symlink or a regular file there.
        int devnull = open_in_root(root, "/dev/null", O_PATH | O_NOFOLLOW);
        struct stat st;
        if (devnull < 0 || ::fstat(devnull, &st) < 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 || minor(st.st_rdev) != 3)
            child_die("masked paths need /dev/null to be the char device 1:3; it is not:", "/dev/null",
                      devnull < 0 ? errno : EINVAL);
        for (const auto& m : p.masked) mask(root, devnull, m.c_str());
        ::close(devnull);
    }
    for (const auto& r : p.readonly_paths) make_readonly(root, r.c_str());
    if (p.readonly) {
        unsigned long f = MS_BIND | MS_REMOUNT | MS_RDONLY | current_mount_flags("/", false);
        if (::mount(nullptr, "/", nullptr, f, nullptr) < 0) child_die("remount / read-only", "", errno);
    }
    ::close(root);
}

}  // namespace docklock::rootfs
