#include "exe_guard.hpp"

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../util/error.hpp"
#include "../util/fd.hpp"

extern char** environ;

namespace docklock::process {

void reexec_from_read_only_binary(char** argv) {
    UniqueFd self(::open("/proc/self/exe", O_PATH | O_CLOEXEC));
    if (!self) sys_fail("open /proc/self/exe");
    struct statvfs sv {};
    if (::fstatvfs(self.get(), &sv) < 0) sys_fail("statvfs /proc/self/exe");
    if (sv.f_flag & ST_RDONLY) return;
    // A detached bind mount of just the binary (the magic link is followed to the file itself).
    UniqueFd tree(static_cast<int>(syscall(SYS_open_tree, AT_FDCWD, "/proc/self/exe", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)));
    if (!tree) sys_fail("protect the runtime binary (CVE-2019-5736): open_tree /proc/self/exe");
    mount_attr a{};
    a.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
    if (syscall(SYS_mount_setattr, tree.get(), "", AT_EMPTY_PATH, &a, sizeof a) < 0)
        sys_fail("protect the runtime binary (CVE-2019-5736): make its mount read-only");
    syscall(SYS_execveat, tree.get(), "", argv, environ, AT_EMPTY_PATH);
    sys_fail("protect the runtime binary (CVE-2019-5736): re-execute from the read-only mount");
}

}  // namespace docklock::process
