// Device nodes in the container's /dev (default ones plus linux.devices) and the /dev symlinks.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "../process/child.hpp"
#include "../util/cbuf.hpp"
#include "rootfs.hpp"
#include "safe_path.hpp"

namespace docklock::rootfs {

using process::child_die;

namespace {

void make_node(const process::RootfsPlan& p, int root_fd, const process::DevicePlan& d) {
    // Create the parent directory, then the node itself, relative to the parent fd.
    const char* slash = std::strrchr(d.path.c_str(), '/');
    CBuf<4096> parent;
    for (const char* c = d.path.c_str(); c < slash; ++c) {
        char one[2] = {*c, 0};
        parent.add(one);
    }
    int pfd = parent.size() ? mkdir_all_in_root(root_fd, parent.c_str(), false) : open_in_root(root_fd, "/", O_PATH);
    if (pfd < 0) child_die("create device directory for", d.path.c_str(), errno);
    int dir = open_in_root(pfd, "/", O_DIRECTORY | O_RDONLY);  // O_PATH fds cannot be used for mknodat
    ::close(pfd);
    if (dir < 0) child_die("open device directory for", d.path.c_str(), errno);
    const char* name = slash + 1;
    if (p.bind_devices) {
        int f = ::openat(dir, name, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (f < 0 && errno != EEXIST) child_die("create device placeholder", d.path.c_str(), errno);
        if (f >= 0) ::close(f);
        int t = ::openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        auto tp = fd_path(t);
        if (t < 0 || ::mount(d.path.c_str(), tp.c_str(), nullptr, MS_BIND, nullptr) < 0)
            child_die("bind device", d.path.c_str(), errno);
        ::close(t);
    } else {
        ::unlinkat(dir, name, 0);
        if (::mknodat(dir, name, d.mode, d.dev) < 0) child_die("mknod", d.path.c_str(), errno);
        if (::fchownat(dir, name, d.uid, d.gid, AT_SYMLINK_NOFOLLOW) < 0) child_die("chown", d.path.c_str(), errno);
        // mknod is subject to umask: set the exact mode.
        int f = ::openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (f >= 0) {
            auto fp = fd_path(f);
            ::chmod(fp.c_str(), d.mode & 07777);
            ::close(f);
        }
    }
    ::close(dir);
}

}  // namespace

void create_devices(const process::RootfsPlan& p, int root_fd) {
    for (const auto& d : p.devices) make_node(p, root_fd, d);
    if (!p.make_dev_nodes) return;
    int dev = open_in_root(root_fd, "/dev", O_DIRECTORY | O_RDONLY);
    if (dev < 0) child_die("open", "/dev", errno);
    static const char* const links[][2] = {{"/proc/self/fd", "fd"},
                                           {"/proc/self/fd/0", "stdin"},
                                           {"/proc/self/fd/1", "stdout"},
                                           {"/proc/self/fd/2", "stderr"},
                                           {"pts/ptmx", "ptmx"}};
    for (const auto& l : links) {
        if (std::strcmp(l[1], "ptmx") == 0) ::unlinkat(dev, "ptmx", 0);
        if (::symlinkat(l[0], dev, l[1]) < 0 && errno != EEXIST) child_die("symlink /dev/", l[1], errno);
    }
    if (::access("/proc/kcore", F_OK) == 0 && ::symlinkat("/proc/kcore", dev, "core") < 0 && errno != EEXIST)
        child_die("symlink", "/dev/core", errno);
    ::close(dev);
}

}  // namespace docklock::rootfs
