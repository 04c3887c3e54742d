// Switch the process root to the rootfs: pivot_root, or MS_MOVE + chroot with --no-pivot.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "../process/child.hpp"
#include "rootfs.hpp"

namespace docklock::rootfs {

using process::child_die;

void pivot(const process::RootfsPlan& p, int root_fd) {
    // By fd: a remapped root may not be able to traverse the rootfs path (prepare_root).
    if (::fchdir(root_fd) < 0) child_die("chdir", p.rootfs.c_str(), errno);
    if (p.no_pivot) {
        if (::mount(".", "/", nullptr, MS_MOVE, nullptr) < 0) child_die("move rootfs to /", "", errno);
        if (::chroot(".") < 0) child_die("chroot", p.rootfs.c_str(), errno);
    } else {
        // pivot_root(".", ".") stacks the old root on top of the new one; detach it right away.
        if (syscall(SYS_pivot_root, ".", ".") < 0) child_die("pivot_root", p.rootfs.c_str(), errno);
        if (::mount(nullptr, ".", nullptr, MS_SLAVE | MS_REC, nullptr) < 0) child_die("make old root rslave", "", errno);
        if (::umount2(".", MNT_DETACH) < 0) child_die("detach old root", "", errno);
    }
    if (::chdir("/") < 0) child_die("chdir", "/", errno);
    // The new root came from a bind under a private parent: give it the requested propagation now.
    if (p.root_propagation && ::mount(nullptr, "/", nullptr, p.root_propagation, nullptr) < 0)
        child_die("set rootfsPropagation of the new root", "", errno);
}

}  // namespace docklock::rootfs
