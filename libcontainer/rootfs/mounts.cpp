// Applies spec.mounts inside the rootfs. Every target is resolved with openat2(RESOLVE_IN_ROOT)
// and mounted through /proc/self/fd/N, so a symlink in the rootfs cannot redirect a mount to the host.
#include <fcntl.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "../process/child.hpp"
#include "../util/cbuf.hpp"
#include "locked_flags.hpp"
#include "rootfs.hpp"
#include "safe_path.hpp"

namespace docklock::rootfs {

using process::child_die;
using process::MountPlan;
using process::RootfsPlan;

namespace {

int target_fd(int root_fd, const MountPlan& m, bool file) {
    int fd = mkdir_all_in_root(root_fd, m.dest.c_str(), file);
    if (fd < 0) child_die("create mount target", m.dest.c_str(), errno);
    return fd;
}

// Reopen the target after mounting: the old fd still points below the new mount.
int reopen(int root_fd, const MountPlan& m) {
    int fd = open_in_root(root_fd, m.dest.c_str(), O_PATH);
    if (fd < 0) child_die("reopen mount target", m.dest.c_str(), errno);
    return fd;
}

void after_mount(int root_fd, const MountPlan& m, unsigned long remount_flags) {
    if (!m.remount_bind && !m.propagation && !m.attr_set && !m.attr_clr) return;
    int fd = reopen(root_fd, m);
    auto p = fd_path(fd);
    if (m.remount_bind) {
        unsigned long f = MS_REMOUNT | MS_BIND | remount_flags;
        if (::mount(nullptr, p.c_str(), nullptr, f, nullptr) < 0) {
            f |= current_mount_flags(p.c_str(), true);
            if (::mount(nullptr, p.c_str(), nullptr, f, nullptr) < 0) child_die("remount", m.dest.c_str(), errno);
        }
    }
    if (m.propagation && ::mount(nullptr, p.c_str(), nullptr, m.propagation, nullptr) < 0)
        child_die("set propagation of", m.dest.c_str(), errno);
    if (m.attr_set || m.attr_clr) {
        mount_attr a{};
        a.attr_set = m.attr_set;
        a.attr_clr = m.attr_clr;
        if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof a) < 0)
            child_die("mount_setattr", m.dest.c_str(), errno);
    }
    ::close(fd);
}

void bind_mount(int root_fd, const MountPlan& m) {
    int fd = target_fd(root_fd, m, m.dest_is_file);
    auto p = fd_path(fd);
    if (m.tree_fd >= 0) {
        // mounts[].uidMappings: the runtime made the idmapped clone before clone (MOUNT_ATTR_IDMAP needs
        // CAP_SYS_ADMIN where the source's filesystem was mounted, which this user namespace is not).
        if (syscall(SYS_move_mount, m.tree_fd, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
            child_die("move idmapped mount onto", m.dest.c_str(), errno);
    } else if (::mount(m.source.c_str(), p.c_str(), nullptr, MS_BIND | (m.flags & MS_REC), nullptr) < 0) {
        child_die("bind mount", m.source.c_str(), errno);
    }
    ::close(fd);
    after_mount(root_fd, m, m.flags & ~(MS_BIND | MS_REC | MS_REMOUNT));
}

void regular_mount(int root_fd, const MountPlan& m) {
    int fd = target_fd(root_fd, m, false);
    auto p = fd_path(fd);
    const char* data = m.data.empty() ? nullptr : m.data.c_str();
    if (::mount(m.source.c_str(), p.c_str(), m.fstype.c_str(), m.flags, data) < 0) {
        int e = errno;
        // sysfs needs the network namespace's owner; in a foreign user namespace bind the host's instead (as runc).
        if (m.fstype == "sysfs" && (e == EPERM || e == EBUSY)) {
            if (::mount("/sys", p.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0)
                child_die("bind /sys onto", m.dest.c_str(), errno);
            ::close(fd);
            // The host's /sys comes with every mount below it (cgroup hierarchies, debugfs, tracefs,
            // securityfs, bpf...), read-write: the flags must hold on each of them, not only on the top.
            MountPlan ro = m;
            ro.remount_bind = true;
            ro.attr_set |= MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
                           ((m.flags & MS_RDONLY) ? MOUNT_ATTR_RDONLY : 0);
            ro.attr_clr &= ~ro.attr_set;
            after_mount(root_fd, ro, m.flags | MS_NOSUID | MS_NODEV | MS_NOEXEC);
            return;
        }
        if (m.fstype == "mqueue" && e == EPERM) {  // mqueue in a user namespace without its own ipc: bind
            if (::mount("/dev/mqueue", p.c_str(), nullptr, MS_BIND, nullptr) < 0)
                child_die("bind /dev/mqueue onto", m.dest.c_str(), errno);
            ::close(fd);
            return;
        }
        child_die("mount", m.dest.c_str(), e);
    }
    ::close(fd);
    after_mount(root_fd, m, 0);
}

void cgroup_mount(const RootfsPlan& rp, int root_fd, const MountPlan& m) {
    int fd = target_fd(root_fd, m, false);
    auto p = fd_path(fd);
    unsigned long base = m.flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME);
    bool ro = (m.flags & MS_RDONLY) != 0;
    if (rp.cgroups.size() == 1 && rp.cgroups[0].v2 && rp.cgroups[0].name.empty()) {  // pure v2 host
        int rc = rp.cgroupns ? ::mount("cgroup2", p.c_str(), "cgroup2", m.flags, nullptr)
                             : ::mount(rp.cgroups[0].host_dir.c_str(), p.c_str(), nullptr, MS_BIND | MS_REC, nullptr);
        if (rc < 0) child_die("mount cgroup2 on", m.dest.c_str(), errno);
        ::close(fd);
        if (!rp.cgroupns) {
            MountPlan r = m;
            r.remount_bind = true;
            after_mount(root_fd, r, base | (ro ? MS_RDONLY : 0));
        }
        return;
    }
    // v1 or hybrid: a tmpfs with one directory per hierarchy.
    if (::mount("tmpfs", p.c_str(), "tmpfs", base, "mode=755") < 0)
        child_die("mount tmpfs for cgroups on", m.dest.c_str(), errno);
    ::close(fd);
    int dir = open_in_root(root_fd, m.dest.c_str(), O_DIRECTORY | O_RDONLY);
    if (dir < 0) child_die("open", m.dest.c_str(), errno);
    for (const auto& h : rp.cgroups) {
        if (::mkdirat(dir, h.name.c_str(), 0755) < 0 && errno != EEXIST) child_die("mkdir cgroup", h.name.c_str(), errno);
        int sub = ::openat(dir, h.name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0) child_die("open cgroup dir", h.name.c_str(), errno);
        auto sp = fd_path(sub);
        int rc;
        if (rp.cgroupns)
            rc = h.v2 ? ::mount("cgroup2", sp.c_str(), "cgroup2", base | (ro ? MS_RDONLY : 0), nullptr)
                      : ::mount("cgroup", sp.c_str(), "cgroup", base | (ro ? MS_RDONLY : 0), h.options.c_str());
        else
            rc = ::mount(h.host_dir.c_str(), sp.c_str(), nullptr, MS_BIND | MS_REC, nullptr);
        if (rc < 0) child_die("mount cgroup hierarchy", h.name.c_str(), errno);
        ::close(sub);
        if (!rp.cgroupns) {
            sub = ::openat(dir, h.name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
            auto sp2 = fd_path(sub);
            if (::mount(nullptr, sp2.c_str(), nullptr, MS_REMOUNT | MS_BIND | base | (ro ? MS_RDONLY : 0), nullptr) < 0)
                child_die("remount cgroup hierarchy", h.name.c_str(), errno);
            ::close(sub);
        }
    }
    ::close(dir);
    if (ro) {
        int again = reopen(root_fd, m);
        auto ap = fd_path(again);
        if (::mount(nullptr, ap.c_str(), nullptr, MS_REMOUNT | base | MS_RDONLY, "mode=755") < 0)
            child_die("remount read-only", m.dest.c_str(), errno);
        ::close(again);
    }
}

}  // namespace

// pivot_root refuses a new root whose parent mount is shared: make the mount holding the
// rootfs's parent directory private (walk up until a mount point answers).
static void make_parent_mount_private(const char* rootfs) {
    char dir[4096];
    size_t n = std::strlen(rootfs);
    if (n >= sizeof dir) child_die("rootfs path too long", rootfs, ENAMETOOLONG);
    std::memcpy(dir, rootfs, n + 1);
    for (;;) {
        char* slash = std::strrchr(dir, '/');
        if (!slash) return;
        if (slash == dir) {
            dir[1] = '\0';
        } else {
            *slash = '\0';
        }
        if (::mount(nullptr, dir, nullptr, MS_PRIVATE, nullptr) == 0) return;
        if (errno != EINVAL) child_die("make the rootfs parent mount private:", dir, errno);
        if (dir[1] == '\0') return;
    }
}

int prepare_root(const RootfsPlan& p, int root_dir_fd) {
    // The requested propagation of "/", except unbindable, which would forbid the self-bind
    // below; that one is applied to the new root after pivot_root.
    unsigned long prop = p.root_propagation ? p.root_propagation : (MS_SLAVE | MS_REC);
    if (prop & MS_UNBINDABLE) prop = MS_SLAVE | MS_REC;
    if (::mount(nullptr, "/", nullptr, prop, nullptr) < 0) child_die("set propagation of /", "", errno);
    if (p.root_tree_fd >= 0) {
        // The rootfs seen through the container's id maps (rootfs/idmap.cpp), attached by fd only:
        // the remapped root may not traverse its path. "/" is not shared now (the policy makes shared
        // propagation private), so pivot_root takes the parent mount as it is.
        if (root_dir_fd < 0) child_die("idmapped rootfs without its directory from the runtime", p.rootfs.c_str(), EINVAL);
        if (syscall(SYS_move_mount, p.root_tree_fd, "", root_dir_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
            child_die("move idmapped rootfs onto", p.rootfs.c_str(), errno);
        int fd = ::openat(p.root_tree_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);  // the attached tree's root
        if (fd < 0) child_die("open idmapped rootfs", p.rootfs.c_str(), errno);
        return fd;
    }
    make_parent_mount_private(p.rootfs.c_str());
    if (::mount(p.rootfs.c_str(), p.rootfs.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0) {
        child_die("bind rootfs", p.rootfs.c_str(), errno);
    }
    int fd = ::open(p.rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) child_die("open rootfs", p.rootfs.c_str(), errno);
    // The directory bound here must be the one the runtime opened and the policy judged: a path
    // swapped in between (a symlink flipped in a parent) is refused, not followed.
    struct stat st;
    if (p.root_ino && (::fstat(fd, &st) < 0 || st.st_dev != p.root_dev || st.st_ino != p.root_ino))
        child_die("root.path changed after it was judged:", p.rootfs.c_str(), EXDEV);
    return fd;
}

void mount_all(const RootfsPlan& p, int root_fd) {
    for (const auto& m : p.mounts) {
        switch (m.kind) {
            case MountPlan::Kind::Bind: bind_mount(root_fd, m); break;
            case MountPlan::Kind::Cgroup: cgroup_mount(p, root_fd, m); break;
            case MountPlan::Kind::Regular: regular_mount(root_fd, m); break;
        }
    }
}

}  // namespace docklock::rootfs
