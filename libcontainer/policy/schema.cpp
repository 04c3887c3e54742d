// The controls: their ids, in the order `policy show` lists them, and the parameters each one takes.
// The YAML loader accepts exactly these; `policy show` prints them.
#include "../util/error.hpp"
#include "policy.hpp"

namespace docklock::policy {

std::string to_string(Mode m) {
    switch (m) {
        case Mode::Enforce: return "enforce";
        case Mode::Reject: return "reject";
        case Mode::Audit: return "audit";
        case Mode::Off: return "off";
    }
    return "off";
}

std::optional<Mode> mode_from_string(const std::string& s) {
    if (s == "enforce") return Mode::Enforce;
    if (s == "reject") return Mode::Reject;
    if (s == "audit") return Mode::Audit;
    if (s == "off") return Mode::Off;
    return std::nullopt;
}

const std::vector<ControlSpec>& control_specs() {
    using P = ParamType;
    static const std::vector<ControlSpec> specs{
        {"privileged",
         "Docker's --privileged markers (all capabilities, no seccomp, no masked paths, all devices): "
         "one finding says the request was downgraded; the controls below reverse each marker",
         {}},
        {"capabilities",
         "capabilities outside `allow` are dropped; `never` cannot be granted even by an exception; "
         "inheritable and ambient are emptied",
         {{"allow", P::List, "capabilities a container may keep"}, {"never", P::List, "capabilities no exception can grant"}}},
        {"no_new_privileges", "process.noNewPrivileges forced on", {}},
        {"seccomp",
         "a missing or unconfined profile becomes docklock's default profile (Docker's default "
         "re-evaluated for the remaining capabilities, plus io_uring, keyring, userfaultfd, bpf, "
         "perf_event_open, open_by_handle_at, mount and namespace calls, AF_ALG and AF_VSOCK denied); "
         "with `profile`, that file instead (e.g. from `docklock profile record`), with the never-allowed "
         "calls denied by a stacked filter",
         {{"profile", P::String, "absolute path of a seccomp profile (OCI linux.seccomp JSON or Docker's format)"},
          {"replace", P::String,
           "which client profiles `profile` replaces: missing (default: missing or unconfined "
           "ones) or all"}}},
        {"apparmor",
         "an unconfined or missing AppArmor profile becomes `profile` where AppArmor is enabled",
         {{"profile", P::String, "the profile to apply"}}},
        {"landlock",
         "Landlock, where the kernel has it: no executing files from writable mounts (tmpfs, volumes, /dev/shm), no writing "
         "under /proc and /sys; signals and abstract unix sockets scoped to the container (ABI 6)",
         {}},
        {"user.root", "the process runs as uid 0 of the host (enforce: runs as 65534:65534 instead)", {}},
        {"userns",
         "user namespace: reject = require one; enforce = remap: a container without one gets one mapping its "
         "ids to `user`'s first subordinate range and an idmapped rootfs (plain directory, or an overlay "
         "rebuilt over idmapped layers); where it cannot, a finding names the obstacle",
         {{"user", P::String, "whose ranges in subuid/subgid are used (default docklock)"},
          {"subuid", P::String, "subordinate uid file (default /etc/subuid)"},
          {"subgid", P::String, "subordinate gid file (default /etc/subgid)"},
          {"unavailable", P::String, "run (default: un-remapped, with a finding) or reject"},
          {"idmap", P::List,
           "bind sources idmapped under the remap, as patterns (`*` matches one component; "
           "default: the engines' per-container data); other binds keep host owners"}}},
        {"namespaces.pid",
         "host pid namespace (none requested, or a path whose opened namespace is the host's: namespace "
         "paths are judged on the fd, which is what is joined; one that cannot be opened or is of another "
         "type is refused)",
         {}},
        {"namespaces.ipc", "host ipc namespace", {}},
        {"namespaces.net", "host network namespace", {}},
        {"namespaces.uts", "host uts namespace", {}},
        {"namespaces.cgroup", "a cgroup namespace is added when missing", {}},
        {"namespaces.mount", "joining an existing mount namespace by path (no engine asks for it)", {}},
        {"namespaces.user",
         "joining a user namespace by path that is not the user namespace of a container docklock runs "
         "(pods share their sandbox's); never the host's",
         {}},
        {"mounts.sensitive",
         "bind sources and root.path, judged on the object the resolver opened (device and inode, never "
         "the spelling; relative sources from the bundle; magic links refused; a source that cannot be "
         "opened is refused): the same object as, inside or containing a `reject` path is refused unless "
         "the kernel's path of the object is under an `allow` pattern (`*` matches one path component); "
         "sources in or under `readonly` are mounted read-only on every mount they bring; root.path may "
         "not be the host's root or contain a `reject` path",
         {{"reject", P::List, "host paths never bound into a container"},
          {"readonly", P::List, "host paths bound read-only"},
          {"allow", P::List, "sources allowed despite `reject` (per-container data of the engines)"}}},
        {"mounts.sockets",
         "a bind source that is a unix socket is judged by who listens on it, not by its path: the socket "
         "bound to the opened file (device and inode) is found in the kernel's socket table and the processes "
         "holding it in their fd tables; when one runs as uid 0 of the host (docker.sock, containerd.sock, "
         "podman.sock at any path, under any name), or when no listener can be found (a stale socket, one out of "
         "sight), the bind is refused unless the kernel's path of the socket is under an `allow` pattern",
         {{"allow", P::List, "socket paths allowed whoever listens (e.g. a syslog socket; `*` matches one component)"}}},
        {"mounts.types",
         "every mount is judged by its type (a bind is a bind whatever its type says): proc only at "
         "/proc, sysfs only at /sys, cgroup and cgroup2 only at /sys/fs/cgroup, other types anywhere "
         "when in `allow`; everything else (block-device filesystems, overlay, binfmt_misc, debugfs, "
         "tracefs, securityfs, configfs, bpf, fuse, network filesystems...) is refused. Binds of a "
         "kernel interface (files on procfs, sysfs, cgroupfs, debugfs, tracefs, securityfs, bpf, nsfs...) "
         "and the `remount` option are refused; no mount other than proc may land under /proc, and "
         "none but cgroups under /sys",
         {{"allow", P::List, "mount types allowed (proc, sysfs, cgroup, cgroup2 keep their places)"}}},
        {"mounts.options",
         "every bind mount gets `add` on every mount it brings (judged on the normalized options: later "
         "wins, so a trailing \"suid\" or \"dev\" does not undo it)",
         {{"add", P::List, "options every bind mount gets"}}},
        {"mounts.propagation", "shared and slave propagation (mounts, rootfsPropagation) become private", {}},
        {"devices",
         "linux.devices and device cgroup allow rules limited to null, zero, full, random, urandom, "
         "tty, console, ptmx and pts, plus `allow`",
         {{"allow", P::List, "extra devices, as \"c MAJOR:MINOR\" or \"b MAJOR:MINOR\" (MINOR may be *)"}}},
        {"paths.masked", "`add` is appended to linux.maskedPaths", {{"add", P::List, "paths always masked"}}},
        {"paths.readonly",
         "`add` is appended to linux.readonlyPaths; sysfs and cgroup mounts are read-only",
         {{"add", P::List, "paths always read-only"}}},
        {"resources.pids", "pids.max set to `limit` when unlimited", {{"limit", P::Int, "pids.max"}}},
        {"resources.memory", "memory.limit set to `limit` (bytes) when unlimited", {{"limit", P::Int, "bytes"}}},
        {"resources.cpu",
         "cpu quota/period set when unlimited",
         {{"quota", P::Int, "cpu.cfs_quota_us"}, {"period", P::Int, "cpu.cfs_period_us"}}},
        {"sysctls",
         "only namespaced sysctls matching `allow` (a trailing * matches a prefix); net.* only with a "
         "private network namespace",
         {{"allow", P::List, "sysctl names or prefixes*"}}},
        {"hooks",
         "OCI hooks run as host root: only executables whose opened file is at an `allow`ed absolute path "
         "(the kernel's path of what opened: /proc/<pid>/exe is its target), owned by root, not writable "
         "by group or others, and outside the container's rootfs and bundle; the executable is checked "
         "again when it runs and must be the same file. createContainer and startContainer hooks run in "
         "the container before its confinement is complete and are refused",
         {{"allow", P::List,
           "absolute paths of executables, each optionally followed by the arguments a hook must begin with "
           "(\"/usr/bin/dockerd libnetwork-setkey\"; * matches any one)"}}},
        {"rlimits",
         "RLIMIT_RTPRIO, RLIMIT_NICE and RLIMIT_MEMLOCK above the runtime's own hard limit (what CAP_SYS_NICE "
         "and CAP_IPC_LOCK would grant) are lowered to it",
         {}},
        {"oom_score_adj",
         "process.oomScoreAdj below the runtime's own would make the container harder to kill than its "
         "engine: raised to the runtime's value",
         {}},
    };
    return specs;
}

const ControlSpec* find_control_spec(const std::string& id) {
    for (const auto& c : control_specs())
        if (c.id == id) return &c;
    return nullptr;
}

const std::vector<std::string>& Control::list(const std::string& key) const {
    static const std::vector<std::string> none;
    auto it = lists.find(key);
    return it == lists.end() ? none : it->second;
}

int64_t Control::integer(const std::string& key, int64_t fallback) const {
    auto it = ints.find(key);
    return it == ints.end() ? fallback : it->second;
}

std::string Control::str(const std::string& key) const {
    auto it = strings.find(key);
    return it == strings.end() ? "" : it->second;
}

const Control& Policy::control(const std::string& id) const {
    auto it = controls.find(id);
    if (it == controls.end()) throw Error("policy: no control \"" + id + "\"");
    return it->second;
}

}  // namespace docklock::policy
