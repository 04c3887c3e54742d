#include "idmap.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "../util/error.hpp"
#include "../util/fs.hpp"
#include "../util/mountinfo.hpp"
#include "../util/text.hpp"

namespace docklock::rootfs {
namespace {

constexpr unsigned long kOverlayMagic = 0x794c7630;

std::string map_text(const std::vector<spec::IdMapping>& ms) {
    std::string s;
    for (const auto& m : ms)
        s += std::to_string(m.containerID) + " " + std::to_string(m.hostID) + " " + std::to_string(m.size) + "\n";
    return s;
}

// Is the running kernel at least major.minor? (uname; unparsable: no)
bool kernel_at_least(int major, int minor) {
    struct utsname u {};
    int a = 0, b = 0;
    if (::uname(&u) != 0 || std::sscanf(u.release, "%d.%d", &a, &b) != 2) return false;
    return a > major || (a == major && b >= minor);
}

// The filesystems that set FS_ALLOW_IDMAP on 6.x kernels and that docklock has seen work.
bool takes_idmap(unsigned long magic) {
    switch (magic) {
        case 0x01021994:  // tmpfs: since 6.3
            return kernel_at_least(6, 3);
        case 0xEF53:      // ext2/3/4
        case 0x58465342:  // xfs
        case 0x9123683E:  // btrfs
        case 0xF2F52010:  // f2fs
        case 0x4d44:      // vfat
        case 0x2fc12fc1:  // zfs (2.2+)
            return true;
        default: return false;
    }
}

std::string hex(unsigned long v) {
    char b[32];
    std::snprintf(b, sizeof b, "0x%lx", v);
    return b;
}

std::string unescape(const std::string& s) {  // mountinfo's \040 octal escapes
    std::string o;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
            o += static_cast<char>(std::stoi(s.substr(i + 1, 3), nullptr, 8));
            i += 3;
        } else {
            o += s[i];
        }
    }
    return o;
}

std::string dirname_of(const std::string& p) {
    auto i = p.find_last_of('/');
    return i == 0 ? "/" : i == std::string::npos ? "." : p.substr(0, i);
}
std::string basename_of(const std::string& p) {
    auto i = p.find_last_of('/');
    return i == std::string::npos ? p : p.substr(i + 1);
}

struct Overlay {
    bool found = false;  // an overlay mounted exactly at the rootfs
    std::string mount_point_of_parent;
    std::vector<std::string> lowers;
    std::string upper, work;
    bool data_only = false;
};

// The overlay mounted at `rootfs` (the last one stacked there), from /proc/self/mountinfo.
Overlay read_overlay(const std::string& rootfs) {
    Overlay o;
    std::string info = fs::read_file("/proc/self/mountinfo");
    for (const mountinfo::Entry& e : mountinfo::parse(info)) {
        if (e.fstype != "overlay" || unescape(std::string(e.mount_point)) != rootfs) continue;
        o = Overlay{};
        o.found = true;
        std::string base = dirname_of(dirname_of(rootfs));  // Docker's relative layers: from overlay2/
        auto abs = [&](std::string p) { return p.empty() || p[0] == '/' ? p : base + "/" + p; };
        for (std::string_view optv : text::split(e.super_options, ',')) {
            std::string opt(optv);
            auto eq = opt.find('=');
            std::string k = opt.substr(0, eq), v = eq == std::string::npos ? "" : unescape(opt.substr(eq + 1));
            if (k == "lowerdir") {
                if (v.find("::") != std::string::npos) o.data_only = true;
                std::string cur;
                for (size_t i = 0; i <= v.size(); ++i) {
                    if (i == v.size() || (v[i] == ':' && (i == 0 || v[i - 1] != '\\'))) {
                        if (!cur.empty()) o.lowers.push_back(abs(cur));
                        cur.clear();
                    } else if (!(v[i] == '\\' && i + 1 < v.size() && v[i + 1] == ':')) {
                        cur += v[i];
                    }
                }
            } else if (k == "lowerdir+") {
                o.lowers.push_back(abs(v));
            } else if (k == "datadir+") {
                o.data_only = true;
            } else if (k == "upperdir") {
                o.upper = abs(v);
            } else if (k == "workdir") {
                o.work = abs(v);
            }
        }
    }
    return o;
}

// Raise every permitted capability into the effective set (setfsuid to non-zero drops the file ones).
void raise_effective() {
    __user_cap_header_struct h{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct d[2]{};
    if (syscall(SYS_capget, &h, d) == 0) {
        d[0].effective = d[0].permitted;
        d[1].effective = d[1].permitted;
        syscall(SYS_capset, &h, d);
    }
}

uint32_t host_root(const std::vector<spec::IdMapping>& ms, const std::string& field) {
    for (const auto& m : ms)
        if (m.containerID == 0 && m.size > 0) return m.hostID;
    throw Error(field + ": container id 0 is not mapped: an idmapped rootfs needs it");
}

int fsconfig_str(int fs, const char* key, const std::string& v) {
    return static_cast<int>(syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, key, v.c_str(), 0));
}

UniqueFd rebuild_overlay(const Overlay& o, int userns, uid_t ruid, gid_t rgid) {
    const std::string field = "root.path";
    std::vector<UniqueFd> lowers;
    for (const auto& l : o.lowers) lowers.push_back(idmapped_tree(l, userns, false, false, field + ": overlay lowerdir"));
    UniqueFd upper_parent;
    std::string work_name;
    if (!o.upper.empty()) {
        std::string parent = dirname_of(o.upper);
        // A workdir of our own next to the engine's: overlayfs empties work/work at every mount,
        // which must not happen under the engine's own overlay of the same upper.
        work_name = "docklock-work";
        if (::mkdir((parent + "/" + work_name).c_str(), 0700) < 0 && errno != EEXIST)
            throw Error(field + ": overlay workdir " + parent + "/" + work_name, errno);
        upper_parent = idmapped_tree(parent, userns, false, false, field + ": overlay upperdir");
    }
    UniqueFd fs(static_cast<int>(syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC)));
    if (!fs) throw Error(field + ": fsopen overlay", errno);
    auto fdp = [](int fd) { return "/proc/self/fd/" + std::to_string(fd); };
    bool plus = true;  // lowerdir+ (6.8+): no 256-byte limit on the layer list
    for (size_t i = 0; i < lowers.size() && plus; ++i)
        if (fsconfig_str(fs.get(), "lowerdir+", fdp(lowers[i].get())) < 0) {
            if (i != 0) throw Error(field + ": overlay lowerdir+ " + o.lowers[i], errno);
            plus = false;
        }
    if (!plus) {
        std::string all;
        for (const auto& l : lowers) all += (all.empty() ? "" : ":") + fdp(l.get());
        if (fsconfig_str(fs.get(), "lowerdir", all) < 0) throw Error(field + ": overlay lowerdir", errno);
    }
    if (upper_parent) {
        if (fsconfig_str(fs.get(), "upperdir", fdp(upper_parent.get()) + "/" + basename_of(o.upper)) < 0)
            throw Error(field + ": overlay upperdir " + o.upper, errno);
        if (fsconfig_str(fs.get(), "workdir", fdp(upper_parent.get()) + "/" + work_name) < 0)
            throw Error(field + ": overlay workdir", errno);
    }
    // overlayfs works on its layers with the creator's credentials. Through the idmapped upper, a
    // new file's owner must be an id of the container's maps (host root is not: EOVERFLOW, and the
    // overlay falls back to read-only), so create it as the container's root, capabilities kept.
    ::setfsgid(rgid);
    ::setfsuid(ruid);
    raise_effective();
    long rc = syscall(SYS_fsconfig, fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0);
    int err = errno;
    ::setfsuid(0);
    ::setfsgid(0);
    raise_effective();
    if (rc < 0) throw Error(field + ": overlay over idmapped layers", err);
    UniqueFd m(static_cast<int>(syscall(SYS_fsmount, fs.get(), FSMOUNT_CLOEXEC, 0)));
    if (!m) throw Error(field + ": fsmount overlay", errno);
    return m;
}

}  // namespace

UniqueFd make_idmap_userns(const std::vector<spec::IdMapping>& uid, const std::vector<spec::IdMapping>& gid,
                           const std::string& field) {
    int ready[2], hold[2];
    if (::pipe2(ready, O_CLOEXEC) < 0) sys_fail("pipe");
    UniqueFd r0(ready[0]), r1(ready[1]);
    if (::pipe2(hold, O_CLOEXEC) < 0) sys_fail("pipe");
    UniqueFd h0(hold[0]), h1(hold[1]);
    pid_t pid = ::fork();
    if (pid < 0) sys_fail("fork");
    if (pid == 0) {
        char c = ::unshare(CLONE_NEWUSER) == 0 ? 'y' : 'n';
        (void)!::write(r1.get(), &c, 1);
        ::close(h1.get());
        (void)!::read(h0.get(), &c, 1);  // until the runtime has opened our namespace
        _exit(0);
    }
    struct Reap {
        pid_t pid;
        ~Reap() {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
    } reap{pid};
    r1.reset();
    h0.reset();
    char c = 'n';
    if (::read(r0.get(), &c, 1) != 1 || c != 'y') throw Error(field + ": unshare a user namespace for the id maps");
    std::string proc = "/proc/" + std::to_string(pid);
    try {
        fs::write_file(proc + "/uid_map", map_text(uid));
    } catch (const Error& e) {
        throw Error(field + ".uidMappings: " + e.what());
    }
    try {
        fs::write_file(proc + "/gid_map", map_text(gid));
    } catch (const Error& e) {
        throw Error(field + ".gidMappings: " + e.what());
    }
    UniqueFd ns(::open((proc + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns) throw Error(field + ": open " + proc + "/ns/user", errno);
    return ns;
}

UniqueFd idmapped_tree(const std::string& path, int userns_fd, bool rec_clone, bool rec_attr, const std::string& field,
                       int src_fd) {
    UniqueFd tree(static_cast<int>(syscall(SYS_open_tree, src_fd >= 0 ? src_fd : AT_FDCWD, src_fd >= 0 ? "" : path.c_str(),
                                           OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (rec_clone ? AT_RECURSIVE : 0) |
                                               (src_fd >= 0 ? AT_EMPTY_PATH : 0))));
    if (!tree) throw Error(field + ": open_tree " + path, errno);
    mount_attr a{};
    a.attr_set = MOUNT_ATTR_IDMAP;
    a.userns_fd = static_cast<uint64_t>(userns_fd);
    if (syscall(SYS_mount_setattr, tree.get(), "", AT_EMPTY_PATH | (rec_attr ? AT_RECURSIVE : 0), &a, sizeof a) < 0) {
        int e = errno;
        struct statfs st {};
        ::statfs(path.c_str(), &st);
        throw Error(field + ": idmapped mount of " + path + " (filesystem " + hex(static_cast<unsigned long>(st.f_type)) + ")",
                    e);
    }
    return tree;
}

UniqueFd idmapped_rootfs(const std::string& rootfs, const std::vector<spec::IdMapping>& uid,
                         const std::vector<spec::IdMapping>& gid) {
    UniqueFd ns = make_idmap_userns(uid, gid, "linux");
    struct statfs st {};
    if (::statfs(rootfs.c_str(), &st) < 0) throw Error("root.path: " + rootfs, errno);
    if (static_cast<unsigned long>(st.f_type) != kOverlayMagic) return idmapped_tree(rootfs, ns.get(), true, true, "root.path");
    Overlay o = read_overlay(rootfs);
    if (std::string why = rootfs_idmap_obstacle(rootfs); !why.empty()) throw Error("root.path: " + why);
    return rebuild_overlay(o, ns.get(), host_root(uid, "linux.uidMappings"), host_root(gid, "linux.gidMappings"));
}

std::string rootfs_idmap_obstacle(const std::string& rootfs) {
    if (!kernel_has_idmapped_mounts()) return "the kernel has no idmapped mounts (mount_setattr: ENOSYS)";
    struct statfs st {};
    if (::statfs(rootfs.c_str(), &st) < 0) return "cannot statfs the rootfs " + rootfs + ": " + std::strerror(errno);
    auto type = static_cast<unsigned long>(st.f_type);
    if (type != kOverlayMagic)
        return takes_idmap(type) ? ""
                                 : "the rootfs " + rootfs + " is on a filesystem (magic " + hex(type) +
                                       ") that docklock does not know to take idmapped mounts";
    Overlay o = read_overlay(rootfs);
    if (!o.found)
        return "the rootfs " + rootfs +
               " is a directory inside an overlay, not an overlay's mount point: the kernel refuses MOUNT_ATTR_IDMAP on "
               "overlayfs (EINVAL) and its layers are not known";
    if (o.data_only) return "the rootfs overlay at " + rootfs + " has data-only layers, which docklock does not rebuild";
    if (o.lowers.empty()) return "the rootfs overlay at " + rootfs + ": no lowerdir in /proc/self/mountinfo";
    if (!o.upper.empty() && dirname_of(o.upper) != dirname_of(o.work))
        return "the rootfs overlay at " + rootfs + ": upperdir and workdir do not share a parent directory";
    std::vector<std::string> layers = o.lowers;
    if (!o.upper.empty()) layers.push_back(o.upper);
    for (const auto& l : layers) {
        struct statfs ls {};
        if (::statfs(l.c_str(), &ls) < 0)
            return "the rootfs overlay's layer " + l + " cannot be reached: " + std::strerror(errno);
        if (!takes_idmap(static_cast<unsigned long>(ls.f_type)))
            return "the rootfs overlay's layer " + l + " is on a filesystem (magic " +
                   hex(static_cast<unsigned long>(ls.f_type)) + ") that docklock does not know to take idmapped mounts";
    }
    return "";
}

std::string bind_idmap_obstacle(const std::string& source) {
    if (!kernel_has_idmapped_mounts()) return "the kernel has no idmapped mounts (mount_setattr: ENOSYS)";
    struct statfs st {};
    if (::statfs(source.c_str(), &st) < 0) return "cannot statfs " + source + ": " + std::strerror(errno);
    auto type = static_cast<unsigned long>(st.f_type);
    if (type == kOverlayMagic) return source + " is on overlayfs, which refuses MOUNT_ATTR_IDMAP (EINVAL)";
    if (!takes_idmap(type))
        return source + " is on a filesystem (magic " + hex(type) + ") that docklock does not know to take idmapped mounts";
    return "";
}

bool kernel_has_idmapped_mounts() {
    static int known = -1;
    if (known < 0) {
        long r = syscall(SYS_mount_setattr, -1, "", 0, nullptr, 0);
        known = (r < 0 && errno == ENOSYS) ? 0 : 1;
    }
    return known == 1;
}

}  // namespace docklock::rootfs
