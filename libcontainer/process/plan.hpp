// Everything the container's first process needs, computed in the runtime before clone.
// After clone the child reads only this (no parsing, no allocation), so it stays async-signal-safe.
#pragma once
#include <linux/filter.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace docklock::process {

// A NULL-terminated char* array over strings it owns. Call seal() once the object is in place.
class CStrings {
public:
    CStrings() = default;
    explicit CStrings(std::vector<std::string> v) : s_(std::move(v)) { seal(); }
    CStrings(const CStrings& o) : s_(o.s_) { seal(); }
    CStrings& operator=(const CStrings& o) {
        s_ = o.s_;
        seal();
        return *this;
    }
    void seal() {
        p_.clear();
        for (auto& x : s_) p_.push_back(x.data());
        p_.push_back(nullptr);
    }
    char* const* get() const { return p_.data(); }
    const std::vector<std::string>& strings() const { return s_; }
    bool empty() const { return s_.empty(); }

private:
    std::vector<std::string> s_;
    std::vector<char*> p_{nullptr};
};

struct HookPlan {
    std::string path;
    int fd = -1;  // runtime side: the opened (and, with the policy, verified) executable, run by execveat
    CStrings argv, envp;
    int timeout_s = 0;  // 0: none
};

struct MountPlan {
    enum class Kind { Regular, Bind, Cgroup };
    Kind kind = Kind::Regular;
    std::string source, dest, fstype, data;  // dest is absolute inside the container
    unsigned long flags = 0;                 // MS_* for mount(2)
    unsigned long propagation = 0;           // MS_SHARED/... (| MS_REC), applied after
    bool remount_bind = false;               // bind needing a second MS_REMOUNT for ro/nosuid/...
    bool dest_is_file = false;               // bind of a non-directory
    uint64_t attr_set = 0, attr_clr = 0;     // recursive mount_setattr (rro, rnosuid, ...)
    int tree_fd = -1;                        // a detached idmapped mount made by the runtime: moved onto dest
    bool tmpcopyup = false;
};

struct CgroupHierarchy {
    std::string name;      // subdirectory under the cgroup mount (cpu, memory, unified, ...)
    std::string host_dir;  // the container's cgroup directory on the host
    std::string options;   // subsystem options for a real cgroup mount inside a cgroup namespace
    bool v2 = false;
};

struct DevicePlan {
    std::string path;  // absolute inside the container
    mode_t mode = 0;   // S_IFCHR/S_IFBLK/S_IFIFO | permissions
    dev_t dev = 0;
    uid_t uid = 0;
    gid_t gid = 0;
};

struct RootfsPlan {
    bool setup = true;  // false when joining an existing mount namespace
    std::string rootfs;
    dev_t root_dev = 0;  // root.path as the resolver opened and the policy judged it (0: unchecked)
    ino_t root_ino = 0;
    bool readonly = false;
    unsigned long root_propagation = 0;
    bool no_pivot = false;
    bool bind_devices = false;  // in a user namespace mknod fails: bind the host's nodes
    std::vector<MountPlan> mounts;
    std::vector<CgroupHierarchy> cgroups;  // for mounts of type cgroup
    bool cgroupns = false;
    std::vector<DevicePlan> devices;
    bool make_dev_nodes = false;  // /dev is a fresh tmpfs: create default devices and symlinks
    std::vector<std::string> masked, readonly_paths;
    int root_tree_fd = -1;             // the rootfs idmapped (rootfs/idmap.cpp), moved over `rootfs` (no self-bind)
    std::vector<int> tree_fds;         // every detached mount fd above: kept open in the child
    std::shared_ptr<void> tree_owner;  // closes them in the runtime when the plan goes
};

struct CredsPlan {
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;
    bool set_groups = true;
    int umask = -1;
    bool have_caps = false;
    uint64_t bounding = 0, effective = 0, permitted = 0, inheritable = 0, ambient = 0;
    int last_cap = 40;
    bool no_new_privs = false;
    std::string apparmor_exec;  // "exec <profile>" for /proc/self/attr/apparmor/exec, or empty
    std::string selinux_label;
};

struct SeccompPlan {
    bool present = false;
    std::vector<sock_filter> prog;
    unsigned int flags = 0;
    bool notify = false;  // the filter has SCMP_ACT_NOTIFY rules: send the listener fd
    bool record = false;  // `profile record`'s filter: the listener stays (close-on-exec) for the runtime to take
};

// linux.org.docklock.landlock, with the paths normalised (absolute, no trailing slash).
struct LandlockPlan {
    bool present = false;
    std::vector<std::string> no_exec, no_write;
    bool scope_signals = false, scope_abstract_unix = false;
};

struct InitPlan {
    bool exec_mode = false;                 // exec into an existing container (no rootfs setup)
    int clone_flags = 0;                    // CLONE_NEW* to create
    std::vector<std::pair<int, int>> join;  // (fd, CLONE_NEW*) to join, user namespace first
    bool needs_stage1 = false;              // joining a user or pid namespace needs a middle process
    bool new_userns = false;
    bool new_cgroupns = false;  // unshared by the child once it is in its cgroup, so the namespace is rooted there
    std::string time_offsets;   // "monotonic <s> <ns>\nboottime ..." for /proc/self/timens_offsets

    RootfsPlan rootfs;
    std::string hostname, domainname;
    bool set_hostname = false, set_domainname = false;
    std::vector<std::pair<std::string, std::string>> sysctls;  // /proc/sys/... path, value
    std::vector<std::pair<int, rlimit>> rlimits;
    bool set_oom = false;
    int oom_score_adj = 0;
    bool oom_by_runtime = false;  // in a user namespace the non-dumpable init cannot open its own /proc files
    long personality = -1;

    CredsPlan creds;
    SeccompPlan seccomp;
    std::vector<SeccompPlan> seccomp_stack;  // linux.org.docklock.seccompStack, loaded before `seccomp`
    LandlockPlan landlock;

    std::string cwd;
    CStrings argv, envp;
    std::vector<std::string> exec_candidates;  // args[0] resolved against PATH, tried in order

    bool terminal = false;
    int console_sock = -1;
    unsigned short rows = 0, cols = 0;
    int start_listen_fd = -1;  // create: accept() on it waits for `start`
    int preserve_fds = 0;
    bool new_keyring = false;  // join a fresh session keyring (runc's default; --no-new-keyring)
    std::vector<HookPlan> create_container_hooks, start_container_hooks;
    std::vector<int> keep_fds;  // sorted; every other fd past stdio and preserved fds is closed right after clone
};

}  // namespace docklock::process
