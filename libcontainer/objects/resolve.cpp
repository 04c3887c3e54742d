// The resolver: every object a decision depends on is opened here, once, and judged by what was
// opened. Runtime side only (before clone).
#include "resolve.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <linux/openat2.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cctype>
#include <climits>
#include <map>
#include <string_view>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "../spec/mount_options.hpp"
#include "../util/error.hpp"
#include "../util/fs.hpp"
#include "../util/mountinfo.hpp"
#include "../util/text.hpp"
#include "sockets.hpp"

namespace docklock::objects {

// `p` is strictly below `dir` (both absolute paths inside one filesystem).
static bool below_in_fs(const std::string& p, const std::string& dir) {
    if (p.empty() || dir.empty()) return false;
    if (dir == "/") return p != "/";
    return p.size() > dir.size() && p.compare(0, dir.size(), dir) == 0 && p[dir.size()] == '/';
}

bool Facts::inside(const Facts& dir) const {
    if (!opened() || !dir.opened() || !dir.exists) return false;
    for (const auto& a : above)
        if (a == dir.id) return true;
    return id.dev == dir.id.dev && below_in_fs(fs_path, dir.fs_path);
}

bool Facts::contains(const Facts& o) const {
    if (!opened() || !o.opened()) return false;
    if (!o.exists && o.id == id) return true;  // a missing `o` would be created inside us
    for (const auto& a : o.above)
        if (a == id) return true;
    return o.exists && id.dev == o.id.dev && below_in_fs(o.fs_path, fs_path);
}

std::string kernel_interface_fs(int64_t magic) {
    switch (static_cast<uint64_t>(magic)) {
        case PROC_SUPER_MAGIC: return "procfs";
        case SYSFS_MAGIC: return "sysfs";
        case CGROUP_SUPER_MAGIC: return "cgroup";
        case CGROUP2_SUPER_MAGIC: return "cgroup2";
        case DEBUGFS_MAGIC: return "debugfs";
        case TRACEFS_MAGIC: return "tracefs";
        case SECURITYFS_MAGIC: return "securityfs";
        case BPF_FS_MAGIC: return "bpf";
        case 0x62656570: return "configfs";
        case EFIVARFS_MAGIC: return "efivarfs";
        case PSTOREFS_MAGIC: return "pstore";
        case NSFS_MAGIC: return "nsfs";
        case BINFMTFS_MAGIC: return "binfmt_misc";
        case 0x65735543: return "fusectl";
        case SELINUX_MAGIC: return "selinuxfs";
        default: return "";
    }
}

int open_object(int dirfd, const std::string& path, int flags) {
    open_how how{};
    how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
    how.resolve = RESOLVE_NO_MAGICLINKS;
    long fd;
    do fd = syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof how);
    while (fd < 0 && (errno == EINTR || errno == EAGAIN));
    return static_cast<int>(fd);
}

static std::string unescape(std::string_view v);

namespace {

// /proc/self/mountinfo by mount id: (root inside the filesystem, mount point), read once and again
// when an id is missing (a mount made since).
struct MountTable {
    std::map<uint64_t, std::pair<std::string, std::string>> by_id;
    void load() {
        by_id.clear();
        std::string text;
        try {
            text = fs::read_file("/proc/self/mountinfo");
        } catch (const Error&) {
            return;
        }
        for (std::string_view line : text::lines(text)) {
            auto f = text::fields(line);
            if (f.size() < 5) continue;
            uint64_t idv = 0;
            for (char c : f[0]) idv = idv * 10 + static_cast<uint64_t>(c - '0');
            by_id[idv] = {unescape(f[3]), unescape(f[4])};
        }
    }
    const std::pair<std::string, std::string>* find(uint64_t idv) {
        auto it = by_id.find(idv);
        if (it == by_id.end()) {
            load();
            it = by_id.find(idv);
        }
        return it == by_id.end() ? nullptr : &it->second;
    }
};

// Where the object behind `fd` (whose kernel path is `path`) sits inside its filesystem; "" if
// that cannot be told.
std::string fs_path_of(int fd, const std::string& path) {
    static MountTable table;
    struct statx x;
    if (path.empty() || path[0] != '/' || ::statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &x) != 0 ||
        !(x.stx_mask & STATX_MNT_ID))
        return "";
    const auto* m = table.find(x.stx_mnt_id);
    if (!m) return "";
    const auto& [root, mp] = *m;
    std::string rest;
    if (mp == "/")
        rest = path;
    else if (path == mp)
        rest = "";
    else if (path.size() > mp.size() && path.compare(0, mp.size(), mp) == 0 && path[mp.size()] == '/')
        rest = path.substr(mp.size());
    else
        return "";
    std::string out = root == "/" ? rest : root + rest;
    return out.empty() ? "/" : out;
}

}  // namespace

static Id id_of(const struct stat& st) {
    return {static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
}

Facts facts_of(int fd) {
    Facts f;
    struct stat st;
    if (::fstat(fd, &st) < 0) {
        f.error = errno;
        return f;
    }
    f.id = id_of(st);
    f.mode = st.st_mode;
    f.uid = st.st_uid;
    f.gid = st.st_gid;
    f.rdev = st.st_rdev;
    struct statfs sf;
    if (::fstatfs(fd, &sf) == 0) f.fs_magic = static_cast<int64_t>(sf.f_type);
    char link[64], buf[PATH_MAX];
    std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = ::readlink(link, buf, sizeof buf - 1);
    if (n > 0) f.path.assign(buf, static_cast<size_t>(n));
    f.fs_path = fs_path_of(fd, f.path);
    // The directories above: ".." from the object itself (a directory) or from the directory the
    // kernel's path names (anything else has no ".."), until ".." is the directory itself.
    UniqueFd cur;
    if (S_ISDIR(st.st_mode)) {
        cur.reset(::openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC));
        struct statx self_x, up_x;
        if (cur && ::statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &self_x) == 0 &&
            ::statx(cur.get(), "", AT_EMPTY_PATH, STATX_MNT_ID, &up_x) == 0 && (self_x.stx_mask & STATX_MNT_ID) &&
            (up_x.stx_mask & STATX_MNT_ID))
            f.mount_root = self_x.stx_mnt_id != up_x.stx_mnt_id;
    } else if (!f.path.empty() && f.path[0] == '/') {
        std::string dir = f.path.substr(0, f.path.rfind('/'));
        if (dir.empty()) dir = "/";
        // The parent by path, checked to hold the object under its name (else no chain: nothing
        // can then be proven inside a sensitive directory, and the control refuses).
        UniqueFd d(open_object(AT_FDCWD, dir, O_PATH | O_DIRECTORY));
        struct stat cs;
        std::string name = f.path.substr(f.path.rfind('/') + 1);
        if (d && ::fstatat(d.get(), name.c_str(), &cs, AT_SYMLINK_NOFOLLOW) == 0 && id_of(cs) == f.id) cur = std::move(d);
    }
    if (!cur) {
        if (!S_ISDIR(st.st_mode)) f.error = ENOTDIR;  // no parent chain: cannot be judged
        return f;
    }
    Id last = f.id;
    for (int depth = 0; depth < 4096; ++depth) {
        struct stat ps;
        if (::fstat(cur.get(), &ps) < 0) {
            f.error = errno;
            return f;
        }
        Id pid = id_of(ps);
        if (pid == last) break;  // ".." of the root is the root
        f.above.push_back(pid);
        last = pid;
        UniqueFd up(::openat(cur.get(), "..", O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!up) {
            f.error = errno;
            return f;
        }
        cur = std::move(up);
    }
    return f;
}

Facts host_path(const std::string& path) {
    std::string p = path;
    bool exists = true;
    for (;;) {
        UniqueFd fd(open_object(AT_FDCWD, p.empty() ? "/" : p, O_PATH));
        if (fd) {
            Facts f = facts_of(fd.get());
            f.exists = exists;
            if (!exists) f.path = path;
            return f;
        }
        if (errno != ENOENT && errno != ENOTDIR) {
            Facts f;
            f.error = errno;
            f.path = path;
            return f;
        }
        exists = false;
        auto slash = p.rfind('/');
        if (slash == std::string::npos || p.empty() || p == "/") {
            Facts f;
            f.error = ENOENT;
            f.path = path;
            return f;
        }
        p = p.substr(0, slash);
    }
}

static std::string ns_type_name(int t) {
    switch (t) {
        case CLONE_NEWNS: return "mount";
        case CLONE_NEWPID: return "pid";
        case CLONE_NEWNET: return "network";
        case CLONE_NEWIPC: return "ipc";
        case CLONE_NEWUTS: return "uts";
        case CLONE_NEWUSER: return "user";
        case CLONE_NEWCGROUP: return "cgroup";
        case CLONE_NEWTIME: return "time";
        default: return "";
    }
}

static const char* proc_ns_file(const std::string& type) {
    if (type == "network") return "/proc/self/ns/net";
    if (type == "mount") return "/proc/self/ns/mnt";
    if (type == "pid") return "/proc/self/ns/pid";
    if (type == "ipc") return "/proc/self/ns/ipc";
    if (type == "uts") return "/proc/self/ns/uts";
    if (type == "user") return "/proc/self/ns/user";
    if (type == "cgroup") return "/proc/self/ns/cgroup";
    if (type == "time") return "/proc/self/ns/time";
    return nullptr;
}

NsFacts ns_facts(int fd, const std::function<bool(const Id&)>& container_userns) {
    NsFacts n;
    int t = ::ioctl(fd, NS_GET_NSTYPE);
    if (t < 0) {
        n.error = errno == ENOTTY ? EINVAL : errno;  // not a namespace file
        return n;
    }
    n.type = ns_type_name(t);
    struct stat st, own;
    if (::fstat(fd, &st) < 0) {
        n.error = errno;
        return n;
    }
    n.id = id_of(st);
    const char* self = proc_ns_file(n.type);
    if (!self || ::stat(self, &own) < 0) {
        n.error = self ? errno : EINVAL;
        return n;
    }
    n.host = id_of(own) == n.id;
    if (n.type == "user" && !n.host && container_userns) n.container_userns = container_userns(n.id);
    return n;
}

// "\040" escapes of /proc/self/mountinfo (space, tab, newline, backslash).
static std::string unescape(std::string_view v) {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '\\' && i + 3 < v.size() + 1 && std::isdigit(static_cast<unsigned char>(v[i + 1])) &&
            std::isdigit(static_cast<unsigned char>(v[i + 2])) && std::isdigit(static_cast<unsigned char>(v[i + 3]))) {
            out += static_cast<char>((v[i + 1] - '0') * 64 + (v[i + 2] - '0') * 8 + (v[i + 3] - '0'));
            i += 3;
        } else {
            out += v[i];
        }
    }
    return out;
}

// The mounts strictly below `dir` (a kernel path), as an rbind of it would clone them.
static std::vector<Facts> mounts_below(const std::string& dir, const std::string& mountinfo) {
    std::vector<Facts> out;
    std::string prefix = dir == "/" ? "/" : dir + "/";
    for (const auto& e : mountinfo::parse(mountinfo)) {
        std::string mp = unescape(e.mount_point);
        if (mp.size() <= prefix.size() || mp.compare(0, prefix.size(), prefix) != 0) continue;
        UniqueFd fd(open_object(AT_FDCWD, mp, O_PATH));
        Facts f;
        if (fd)
            f = facts_of(fd.get());
        else
            f.error = errno, f.path = mp;
        out.push_back(std::move(f));
    }
    return out;
}

bool is_bind_mount(const spec::Mount& m) {
    return spec::kind_of(m, spec::parse_mount_options(m.options)) == spec::MountKind::Bind;
}

Opened resolve(const spec::Spec& s, const ResolveInputs& in) {
    Opened o;
    o.facts.resolved = true;
    o.bundle.reset(::open(in.bundle.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!o.bundle) throw Error("bundle " + in.bundle, errno);
    o.facts.bundle = facts_of(o.bundle.get());
    auto open_at_bundle = [&](const std::string& p, int flags, Facts& f) {
        UniqueFd fd(open_object(p.size() && p[0] == '/' ? AT_FDCWD : o.bundle.get(), p, flags));
        if (!fd) {
            f.error = errno;
            f.path = p;
            return fd;
        }
        f = facts_of(fd.get());
        return fd;
    };
    o.root = open_at_bundle(s.root.path.empty() ? "." : s.root.path, O_PATH | O_DIRECTORY, o.facts.root);
    std::string mountinfo_text;  // read once, for the first recursive bind
    o.facts.mounts.resize(s.mounts.size());
    o.mounts.resize(s.mounts.size());
    for (size_t i = 0; i < s.mounts.size(); ++i) {
        const auto& m = s.mounts[i];
        if (!is_bind_mount(m)) continue;
        if (m.source.empty()) {
            o.facts.mounts[i].error = ENOENT;
            continue;
        }
        o.mounts[i] = open_at_bundle(m.source, O_PATH, o.facts.mounts[i]);
        spec::MountOptions mo = spec::parse_mount_options(m.options);
        Facts& f = o.facts.mounts[i];
        if (o.mounts[i] && mo.rec && S_ISDIR(f.mode)) {
            if (mountinfo_text.empty()) {
                try {
                    mountinfo_text = fs::read_file("/proc/self/mountinfo");
                } catch (const Error& e) {
                    f.error = e.code() ? e.code() : EIO;  // submounts unknown: cannot be judged
                    continue;
                }
            }
            if (f.path.empty() || f.path[0] != '/') {
                f.error = ENOENT;  // no reachable path: its submounts cannot be listed
                continue;
            }
            f.below = mounts_below(f.path, mountinfo_text);
        }
        // A socket is judged by who listens on it: the only case that pays for reading the socket
        // table and the fd tables.
        if (o.mounts[i] && S_ISSOCK(o.facts.mounts[i].mode))
            o.facts.mounts[i].listener = listener_of(o.facts.mounts[i].id);
    }
    if (s.linux) {
        const auto& ns = s.linux->namespaces;
        o.facts.namespaces.resize(ns.size());
        o.namespaces.resize(ns.size());
        for (size_t i = 0; i < ns.size(); ++i) {
            if (ns[i].path.empty()) continue;
            // Namespace files are named through /proc/<pid>/ns magic links: follow them, then judge
            // the fd (its type and identity come from the kernel, not the string).
            UniqueFd fd(::open(ns[i].path.c_str(), O_RDONLY | O_CLOEXEC));
            if (!fd) {
                o.facts.namespaces[i].error = errno;
                continue;
            }
            o.facts.namespaces[i] = ns_facts(fd.get(), in.container_userns);
            o.namespaces[i] = std::move(fd);
        }
    }
    for (auto [list, name] : {std::pair{&s.hooks.prestart, "prestart"}, std::pair{&s.hooks.createRuntime, "createRuntime"},
                              std::pair{&s.hooks.createContainer, "createContainer"},
                              std::pair{&s.hooks.startContainer, "startContainer"},
                              std::pair{&s.hooks.poststart, "poststart"}, std::pair{&s.hooks.poststop, "poststop"}}) {
        auto& out = o.facts.hooks[name];
        for (const auto& h : *list) {
            // A hook is what the kernel executes: /proc/<pid>/exe (Docker's setkey hook) is followed.
            Facts f;
            UniqueFd fd(::open(h.path.c_str(), O_PATH | O_CLOEXEC));
            if (fd)
                f = facts_of(fd.get());
            else
                f.error = errno, f.path = h.path;
            out.push_back(f);
        }
    }
    for (const auto& p : in.policy_paths)
        if (!p.empty() && p[0] == '/' && p.find('*') == std::string::npos && !o.facts.paths.count(p))
            o.facts.paths[p] = host_path(p);
    return o;
}

}  // namespace docklock::objects
