#include "audit.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

namespace docklock::audit {
namespace {

// Docker's default capability set (moby oci/caps/defaults.go): what "restricted" is measured against.
const std::set<std::string>& docker_default_caps() {
    static const std::set<std::string> s{"CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
                                         "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
                                         "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
                                         "CAP_KILL",    "CAP_AUDIT_WRITE"};
    return s;
}

// The nodes every OCI runtime makes in /dev whatever the config says: not host devices.
const std::set<std::string>& default_device_paths() {
    static const std::set<std::string> s{"/dev/null",    "/dev/zero", "/dev/full",    "/dev/random",
                                         "/dev/urandom", "/dev/tty",  "/dev/console", "/dev/ptmx"};
    return s;
}

// docker-bench-security's list for 5.6.
const std::vector<std::string>& sensitive_dirs() {
    static const std::vector<std::string> v{"/", "/boot", "/dev", "/etc", "/lib", "/proc", "/sys", "/usr"};
    return v;
}

const std::vector<std::string>& engine_sockets() {
    static const std::vector<std::string> v{"/run/docker.sock", "/run/containerd/containerd.sock", "/run/crio/crio.sock",
                                            "/run/podman/podman.sock"};
    return v;
}

std::string join(const std::vector<std::string>& v, const std::string& sep = ", ") {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
    return s;
}

// At most `n` items, then "and K more".
std::string some(const std::vector<std::string>& v, size_t n = 4) {
    if (v.size() <= n) return join(v);
    return join(std::vector<std::string>(v.begin(), v.begin() + static_cast<long>(n))) + " and " + std::to_string(v.size() - n) +
           " more";
}

bool has_opt(const spec::Mount& m, const std::string& o) {
    return std::find(m.options.begin(), m.options.end(), o) != m.options.end();
}

bool is_bind(const spec::Mount& m) {
    return m.type == "bind" || has_opt(m, "bind") || has_opt(m, "rbind");
}

bool under(const std::string& path, const std::string& dir) {
    if (dir == "/") return true;
    return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/');
}

std::string mib(int64_t bytes) {
    char b[64];
    if (bytes % (1024 * 1024) == 0)
        std::snprintf(b, sizeof b, "%lld MiB", static_cast<long long>(bytes / (1024 * 1024)));
    else
        std::snprintf(b, sizeof b, "%lld bytes", static_cast<long long>(bytes));
    return b;
}

struct Eval {
    const spec::Spec& s;
    const policy::HostFacts& host;
    std::vector<Check> out;

    void add(const std::string& id, const std::string& result, const std::string& detail) {
        for (const auto& c : controls())
            if (c.id == id) out.push_back({id, c.title, result, detail});
    }
    void pass(const std::string& id, const std::string& d) { add(id, "PASS", d); }
    void warn(const std::string& id, const std::string& d) { add(id, "WARN", d); }
    void info(const std::string& id, const std::string& d) { add(id, "INFO", d); }

    const spec::Process* proc() const { return s.process ? &*s.process : nullptr; }
    const spec::Linux* lin() const { return s.linux ? &*s.linux : nullptr; }
    const spec::Resources* res() const { return lin() && lin()->resources ? &*lin()->resources : nullptr; }

    std::vector<std::string> all_caps() const {
        std::set<std::string> u;
        if (proc() && proc()->capabilities) {
            const auto& c = *proc()->capabilities;
            for (const auto* set : {&c.bounding, &c.effective, &c.permitted, &c.inheritable, &c.ambient})
                u.insert(set->begin(), set->end());
        }
        return {u.begin(), u.end()};
    }

    // "": private; else why the host's namespace of `type` is shared.
    std::string shared_ns(const std::string& type) const {
        if (!lin()) return "no linux section: every namespace is the host's";
        const spec::Namespace* n = lin()->find_namespace(type);
        if (!n) return "linux.namespaces has no " + type + " namespace: the host's is shared";
        if (!n->path.empty() && host.host_namespace(type, n->path))
            return "linux.namespaces joins " + n->path + ", the host's " + type + " namespace";
        return "";
    }
    void namespace_check(const std::string& id, const std::string& type) {
        std::string why = shared_ns(type);
        if (!why.empty()) return warn(id, why);
        const spec::Namespace* n = lin()->find_namespace(type);
        pass(id, n->path.empty() ? "a new " + type + " namespace" : "joins " + n->path + " (not the host's)");
    }

    void apparmor_selinux() {
        std::string prof = proc() ? proc()->apparmorProfile : "";
        bool confined = !prof.empty() && prof != "unconfined";
        if (confined)
            pass("5.2", "process.apparmorProfile \"" + prof + "\"");
        else
            warn("5.2", std::string("process.apparmorProfile is ") + (prof.empty() ? "empty" : "\"unconfined\"") +
                            ": the container runs unconfined" + (host.apparmor ? "" : " (AppArmor is not enabled on this host)"));
        std::string label = proc() ? proc()->selinuxLabel : "";
        if (!label.empty())
            pass("5.3", "process.selinuxLabel \"" + label + "\"");
        else if (confined)
            info("5.3", "no process.selinuxLabel; confined by AppArmor profile \"" + prof + "\" instead");
        else
            warn("5.3", "no process.selinuxLabel and no AppArmor profile: no mandatory access control");
    }

    void capabilities() {
        std::vector<std::string> caps = all_caps(), extra;
        for (const auto& c : caps)
            if (!docker_default_caps().count(c)) extra.push_back(c);
        if (!extra.empty())
            warn("5.4", std::to_string(extra.size()) + " capabilities beyond Docker's default set: " + some(extra, 6));
        else
            pass("5.4", std::to_string(caps.size()) + " capabilities, none beyond Docker's default set of 14");
    }

    // The markers only --privileged produces together (as the policy's privileged control reads them).
    void privileged() {
        std::vector<std::string> markers;
        const auto caps = all_caps();
        bool sys_admin = std::find(caps.begin(), caps.end(), "CAP_SYS_ADMIN") != caps.end();
        bool all_devices = false;
        if (res())
            for (const auto& r : res()->devices)
                if (r.allow && (r.type.empty() || r.type == "a") && !r.major && !r.minor) all_devices = true;
        bool no_masks = lin() && lin()->maskedPaths.empty() && lin()->readonlyPaths.empty();
        if (sys_admin) markers.push_back("CAP_SYS_ADMIN");
        if (all_devices) markers.push_back("every device allowed");
        if (no_masks) markers.push_back("no masked or read-only paths");
        if (lin() && !lin()->seccomp) markers.push_back("no seccomp");
        if (sys_admin && all_devices && no_masks)
            warn("5.5", "a privileged container: " + join(markers));
        else if (!markers.empty())
            pass("5.5", "not privileged (of its markers only: " + join(markers) + ")");
        else
            pass("5.5", "not privileged");
    }

    void sensitive_mounts() {
        std::vector<std::string> hits;
        for (size_t i = 0; i < s.mounts.size(); ++i) {
            const auto& m = s.mounts[i];
            if (!is_bind(m)) continue;
            std::string src = host.resolved(m.source);
            bool ro = has_opt(m, "ro");
            for (const auto& d : sensitive_dirs()) {
                if (src == d) {
                    hits.push_back("mounts[" + std::to_string(i) + "] " + src + (ro ? " (read-only)" : " (read-write)"));
                    break;
                }
                if (d != "/" && !ro && under(src, d)) {
                    hits.push_back("mounts[" + std::to_string(i) + "] " + src + " (read-write, under " + d + ")");
                    break;
                }
            }
        }
        if (hits.empty())
            pass("5.6", "no bind mount of /, /boot, /dev, /etc, /lib, /proc, /sys or /usr");
        else
            warn("5.6", some(hits));
    }

    void sshd() {
        if (!proc() || proc()->args.empty()) return info("5.7", "no process");
        std::string a0 = proc()->args[0];
        std::string base = a0.substr(a0.rfind('/') == std::string::npos ? 0 : a0.rfind('/') + 1);
        if (base == "sshd")
            warn("5.7", "the container's process is " + a0);
        else
            info("5.7", "the first process is \"" + a0 + "\"; what it starts later is not in the config");
    }

    void resources() {
        const auto* r = res();
        if (r && r->memory && r->memory->limit && *r->memory->limit > 0)
            pass("5.11", "memory limit " + mib(*r->memory->limit));
        else
            warn("5.11", "no linux.resources.memory.limit");
        std::vector<std::string> cpu;
        if (r && r->cpu) {
            if (r->cpu->shares && *r->cpu->shares > 0 && *r->cpu->shares != 1024)
                cpu.push_back("shares " + std::to_string(*r->cpu->shares));
            if (r->cpu->quota && *r->cpu->quota > 0)
                cpu.push_back("quota " + std::to_string(*r->cpu->quota) + "/" + std::to_string(r->cpu->period.value_or(100000)) +
                              " us");
        }
        if (cpu.empty())
            warn("5.12", "no CPU shares (other than the default 1024) and no CPU quota");
        else
            pass("5.12", "cpu " + join(cpu));
        if (r && r->pidsLimit && *r->pidsLimit > 0)
            pass("5.29", "pids limit " + std::to_string(*r->pidsLimit));
        else
            warn("5.29", "no linux.resources.pids.limit: a fork bomb is not contained");
    }

    void devices() {
        std::vector<std::string> host_devs;
        if (lin())
            for (const auto& d : lin()->devices)
                if (!default_device_paths().count(d.path)) host_devs.push_back(d.path);
        bool all = false;
        if (res())
            for (const auto& r : res()->devices)
                if (r.allow && (r.type.empty() || r.type == "a") && !r.major && !r.minor) all = true;
        std::vector<std::string> what;
        if (!host_devs.empty())
            what.push_back(std::to_string(host_devs.size()) + " host devices in linux.devices (" + some(host_devs) + ")");
        if (all) what.push_back("the device cgroup allows every device");
        if (what.empty())
            pass("5.18", "no host devices beyond the standard /dev nodes");
        else
            warn("5.18", join(what, "; "));
    }

    void ulimits() {
        if (!proc() || proc()->rlimits.empty()) return info("5.19", "no process.rlimits: the runtime's own limits apply");
        std::vector<std::string> v;
        for (const auto& r : proc()->rlimits) v.push_back(r.type + " " + std::to_string(r.soft) + "/" + std::to_string(r.hard));
        info("5.19", "process.rlimits: " + some(v));
    }

    void propagation() {
        std::vector<std::string> shared;
        if (lin() && (lin()->rootfsPropagation == "shared" || lin()->rootfsPropagation == "rshared"))
            shared.push_back("linux.rootfsPropagation " + lin()->rootfsPropagation);
        for (size_t i = 0; i < s.mounts.size(); ++i)
            for (const auto& o : {"shared", "rshared"})
                if (has_opt(s.mounts[i], o))
                    shared.push_back("mounts[" + std::to_string(i) + "] " + s.mounts[i].destination + " " + o);
        if (shared.empty())
            pass("5.20", "no shared mount propagation");
        else
            warn("5.20", some(shared));
    }

    void seccomp() {
        if (!lin() || !lin()->seccomp) return warn("5.22", "no linux.seccomp: every syscall is allowed (unconfined)");
        const auto& sc = *lin()->seccomp;
        bool allow_all = sc.defaultAction == "SCMP_ACT_ALLOW" || sc.defaultAction == "SCMP_ACT_LOG";
        bool denies = !allow_all;
        for (const auto& r : sc.syscalls)
            if (r.action != "SCMP_ACT_ALLOW" && r.action != "SCMP_ACT_LOG") denies = true;
        size_t names = 0;
        for (const auto& r : sc.syscalls) names += r.names.size();
        std::string stack =
            lin()->seccompStack.empty() ? "" : " + " + std::to_string(lin()->seccompStack.size()) + " stacked filter(s)";
        if (!denies && lin()->seccompStack.empty())
            return warn("5.22", "linux.seccomp allows every syscall (defaultAction " + sc.defaultAction + ")");
        pass("5.22", "defaultAction " + sc.defaultAction + ", " + std::to_string(names) + " syscall names in " +
                         std::to_string(sc.syscalls.size()) + " rules" + stack);
    }

    void userns() {
        std::string why = shared_ns("user");
        if (!why.empty()) return warn("5.31", why + " (uid 0 in the container is uid 0 on the host)");
        const spec::Namespace* n = lin()->find_namespace("user");
        if (!n->path.empty()) return pass("5.31", "joins the user namespace " + n->path);
        for (const auto& m : lin()->uidMappings)
            if (m.containerID == 0) return pass("5.31", "a new user namespace: uid 0 is host uid " + std::to_string(m.hostID));
        pass("5.31", "a new user namespace");
    }

    void docker_sock() {
        std::vector<std::string> hits;
        for (size_t i = 0; i < s.mounts.size(); ++i) {
            const auto& m = s.mounts[i];
            if (!is_bind(m)) continue;
            std::string src = host.resolved(m.source);
            for (const auto& sock : engine_sockets()) {
                std::string real = host.resolved(sock);
                if (src == real) {
                    hits.push_back("mounts[" + std::to_string(i) + "] " + m.source + (m.source != real ? " (" + real + ")" : ""));
                    break;
                }
                if (under(real, src)) {
                    hits.push_back("mounts[" + std::to_string(i) + "] " + m.source + " contains " + real);
                    break;
                }
            }
        }
        if (hits.empty())
            pass("5.32", "no engine socket (docker, containerd, CRI-O, podman) is mounted");
        else
            warn("5.32", some(hits));
    }

    void run() {
        const std::string na = "not visible to the runtime: ";
        info("5.1", na + "swarm mode is the engine's setting");
        apparmor_selinux();
        capabilities();
        privileged();
        sensitive_mounts();
        sshd();
        info("5.8", na + "port mappings are made by the engine outside the container's config");
        info("5.9", na + "port mappings are made by the engine outside the container's config");
        namespace_check("5.10", "network");
        resources();  // 5.11, 5.12, 5.29
        if (s.root.readonly)
            pass("5.13", "root.readonly is true");
        else
            warn("5.13", "root.readonly is false: the root filesystem is writable");
        info("5.14", na + "the host interface of a port mapping is the engine's");
        info("5.15", na + "the restart policy is the engine's");
        namespace_check("5.16", "pid");
        namespace_check("5.17", "ipc");
        devices();
        ulimits();
        propagation();
        namespace_check("5.21", "uts");
        seccomp();
        info("5.23", na + "a later exec's options are not in the config (docklock applies the policy to exec too)");
        info("5.24", na + "a later exec's user is not in the config (docklock applies the policy to exec too)");
        info("5.25", lin() && !lin()->cgroupsPath.empty() ? "linux.cgroupsPath " + lin()->cgroupsPath
                                                          : "no linux.cgroupsPath: the runtime's default parent");
        if (proc() && proc()->noNewPrivileges)
            pass("5.26", "process.noNewPrivileges is true");
        else
            warn("5.26", "process.noNewPrivileges is false: setuid binaries and file capabilities can raise privileges");
        info("5.27", na + "health checks are run by the engine");
        info("5.28", na + "image pulls are the engine's");
        info("5.30", na + "which engine network the container is on");
        userns();
        docker_sock();
        std::stable_sort(out.begin(), out.end(),
                         [](const Check& a, const Check& b) { return std::stoi(a.id.substr(2)) < std::stoi(b.id.substr(2)); });
    }
};

}  // namespace

const std::vector<Control>& controls() {
    static const std::vector<Control> v{
        {"5.1", "Ensure swarm mode is not Enabled, if not needed", false},
        {"5.2", "Ensure that, if applicable, an AppArmor Profile is enabled", true},
        {"5.3", "Ensure that, if applicable, SELinux security options are set", true},
        {"5.4", "Ensure that Linux kernel capabilities are restricted within containers", true},
        {"5.5", "Ensure that privileged containers are not used", true},
        {"5.6", "Ensure sensitive host system directories are not mounted on containers", true},
        {"5.7", "Ensure sshd is not run within containers", true},
        {"5.8", "Ensure privileged ports are not mapped within containers", false},
        {"5.9", "Ensure that only needed ports are open on the container", false},
        {"5.10", "Ensure that the host's network namespace is not shared", true},
        {"5.11", "Ensure that the memory usage for containers is limited", true},
        {"5.12", "Ensure that CPU priority is set appropriately on containers", true},
        {"5.13", "Ensure that the container's root filesystem is mounted as read only", true},
        {"5.14", "Ensure that incoming container traffic is bound to a specific host interface", false},
        {"5.15", "Ensure that the 'on-failure' container restart policy is set to '5'", false},
        {"5.16", "Ensure that the host's process namespace is not shared", true},
        {"5.17", "Ensure that the host's IPC namespace is not shared", true},
        {"5.18", "Ensure that host devices are not directly exposed to containers", true},
        {"5.19", "Ensure that the default ulimit is overwritten at runtime if needed", true},
        {"5.20", "Ensure mount propagation mode is not set to shared", true},
        {"5.21", "Ensure that the host's UTS namespace is not shared", true},
        {"5.22", "Ensure the default seccomp profile is not Disabled", true},
        {"5.23", "Ensure that docker exec commands are not used with the privileged option", false},
        {"5.24", "Ensure that docker exec commands are not used with the user=root option", false},
        {"5.25", "Ensure that cgroup usage is confirmed", true},
        {"5.26", "Ensure that the container is restricted from acquiring additional privileges", true},
        {"5.27", "Ensure that container health is checked at runtime", false},
        {"5.28", "Ensure that Docker commands always make use of the latest version of their image", false},
        {"5.29", "Ensure that the PIDs cgroup limit is used", true},
        {"5.30", "Ensure that Docker's default bridge 'docker0' is not used", false},
        {"5.31", "Ensure that the host's user namespaces are not shared", true},
        {"5.32", "Ensure that the Docker socket is not mounted inside any containers", true},
    };
    return v;
}

std::vector<Check> evaluate(const spec::Spec& s, const policy::HostFacts& host) {
    Eval e{s, host, {}};
    e.run();
    return e.out;
}

bool Report::any_warn() const {
    return std::any_of(checks.begin(), checks.end(), [](const Check& c) { return c.result == "WARN"; });
}

nlohmann::json Report::to_json() const {
    nlohmann::json j{{"benchmark", kBenchmark}, {"subject", subject}, {"mode", mode}, {"refused", refused}};
    if (!policy.empty()) j["policy"] = policy;
    if (refused) j["refusal"] = refusal;
    nlohmann::json cs = nlohmann::json::array();
    std::map<std::string, int> count{{"PASS", 0}, {"WARN", 0}, {"INFO", 0}};
    for (const auto& c : checks) {
        cs.push_back({{"id", c.id}, {"title", c.title}, {"result", c.result}, {"detail", c.detail}});
        ++count[c.result];
    }
    j["checks"] = cs;
    j["summary"] = count;
    return j;
}

std::string Report::to_table() const {
    auto pad = [](std::string x, size_t w) {
        if (x.size() < w) x.append(w - x.size(), ' ');
        return x;
    };
    std::string what = mode + " config" + (policy.empty() ? "" : ", policy " + policy);
    if (refused) return subject + " (" + what + "): REFUSED: the policy would not run it\n" + refusal + "\n";
    std::string out = pad("RESULT", 7) + pad("CONTROL", 8) + "TITLE / DETAIL\n";
    int pass = 0, warn = 0, info = 0;
    for (const auto& c : checks) {
        out += pad(c.result, 7) + pad(c.id, 8) + c.title + "\n" + pad("", 15) + c.detail + "\n";
        (c.result == "PASS" ? pass : c.result == "WARN" ? warn : info)++;
    }
    out += subject + " (" + what + "): " + std::to_string(pass) + " PASS, " + std::to_string(warn) + " WARN, " +
           std::to_string(info) + " INFO\n";
    return out;
}

}  // namespace docklock::audit
