// The hardened baseline compiled into docklock: what runs when no policy file exists.
#include "policy.hpp"

namespace docklock::policy {

Policy builtin() {
    Policy p;
    p.source = "builtin";
    auto set = [&](const std::string& id, Mode m) -> Control& {
        Control& c = p.controls[id];
        c.mode = m;
        return c;
    };
    set("privileged", Mode::Enforce);
    Control& caps = set("capabilities", Mode::Enforce);
    caps.lists["allow"] = {"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID",
                           "CAP_KILL",  "CAP_SETGID",       "CAP_SETUID", "CAP_NET_BIND_SERVICE"};
    caps.lists["never"] = {"CAP_SYS_ADMIN",       "CAP_SYS_MODULE", "CAP_SYS_RAWIO",      "CAP_SYS_PTRACE", "CAP_SYS_BOOT",
                           "CAP_DAC_READ_SEARCH", "CAP_MAC_ADMIN",  "CAP_MAC_OVERRIDE",   "CAP_BPF",        "CAP_PERFMON",
                           "CAP_SYS_TIME",        "CAP_SYSLOG",     "CAP_LINUX_IMMUTABLE"};
    set("no_new_privileges", Mode::Enforce);
    set("seccomp", Mode::Enforce);
    set("apparmor", Mode::Enforce).strings["profile"] = "docklock-default";
    set("landlock", Mode::Off);
    set("user.root", Mode::Audit);
    // What the engines themselves bind into every container (resolv.conf, hostname, hosts, secrets,
    // volumes, shm) lives under their state dirs, out of host users' reach.
    const std::vector<std::string> engine_data{"/var/lib/docker/containers/*",
                                               "/var/lib/docker/volumes/*/_data",
                                               "/var/lib/kubelet/pods/*",
                                               "/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/*",
                                               "/run/containerd/io.containerd.grpc.v1.cri/sandboxes/*",
                                               "/var/lib/containers/storage/overlay-containers/*/userdata",
                                               "/run/containers/storage/overlay-containers/*/userdata"};
    Control& uns = set("userns", Mode::Enforce);  // remap where /etc/subuid has ranges for docklock
    uns.strings = {{"user", "docklock"}, {"subuid", "/etc/subuid"}, {"subgid", "/etc/subgid"}, {"unavailable", "run"}};
    uns.lists["idmap"] = engine_data;  // under the remap, these binds are idmapped
    set("namespaces.pid", Mode::Reject);
    set("namespaces.ipc", Mode::Reject);
    set("namespaces.net", Mode::Audit);
    set("namespaces.uts", Mode::Audit);
    set("namespaces.cgroup", Mode::Enforce);
    set("namespaces.mount", Mode::Reject);
    set("namespaces.user", Mode::Reject);
    Control& ms = set("mounts.sensitive", Mode::Reject);
    ms.lists["reject"] = {"/",
                          "/run/docker.sock",
                          "/run/docker",
                          "/run/containerd",
                          "/var/lib/docker",
                          "/var/lib/containerd",
                          "/var/lib/kubelet",
                          "/run/crio",
                          "/var/lib/containers",
                          "/run/podman"};
    ms.lists["readonly"] = {"/etc", "/proc", "/sys", "/dev", "/boot", "/root", "/lib/modules", "/usr"};
    ms.lists["allow"] = engine_data;  // those per-container paths stay allowed
    set("mounts.sockets", Mode::Reject).lists["allow"] = {};  // judged by who listens (sockets.cpp)
    set("mounts.types", Mode::Reject).lists["allow"] = {"bind",   "tmpfs",   "devpts", "mqueue",
                                                        "proc",   "sysfs",   "cgroup", "cgroup2"};
    set("mounts.options", Mode::Enforce).lists["add"] = {"nosuid", "nodev"};
    set("mounts.propagation", Mode::Enforce);
    set("devices", Mode::Reject).lists["allow"] = {};
    set("paths.masked", Mode::Enforce).lists["add"] = {"/proc/asound",
                                                       "/proc/acpi",
                                                       "/proc/kcore",
                                                       "/proc/keys",
                                                       "/proc/latency_stats",
                                                       "/proc/timer_list",
                                                       "/proc/timer_stats",
                                                       "/proc/sched_debug",
                                                       "/proc/scsi",
                                                       "/sys/firmware",
                                                       "/sys/devices/virtual/powercap"};
    set("paths.readonly", Mode::Enforce).lists["add"] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                                         "/proc/sysrq-trigger"};
    set("resources.pids", Mode::Enforce).ints["limit"] = 4096;
    set("resources.memory", Mode::Off).ints["limit"] = 0;
    Control& cpu = set("resources.cpu", Mode::Off);
    cpu.ints["quota"] = 0;
    cpu.ints["period"] = 100000;
    set("sysctls", Mode::Reject).lists["allow"] = {"kernel.shm*", "kernel.msg*", "kernel.sem", "fs.mqueue.*", "net.*"};
    set("hooks", Mode::Reject).lists["allow"] = {
        "/usr/bin/dockerd libnetwork-setkey", "/usr/sbin/dockerd libnetwork-setkey",
        "/usr/local/bin/dockerd libnetwork-setkey", "/usr/bin/nvidia-container-runtime-hook * prestart"};
    set("oom_score_adj", Mode::Enforce);
    set("rlimits", Mode::Enforce);
    return p;
}

Policy off() {
    Policy p = builtin();
    p.off = true;
    p.source = "off";
    for (auto& [id, c] : p.controls) c.mode = Mode::Off;
    return p;
}

}  // namespace docklock::policy
