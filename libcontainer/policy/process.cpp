// Process-level controls besides capabilities: no_new_privileges, AppArmor, running as root.
#include <algorithm>

#include "controls.hpp"

namespace docklock::policy::detail {

void no_new_privileges(Ctx& x, spec::Process& p) {
    if (p.noNewPrivileges) return;
    if (x.violation("no_new_privileges", "process.noNewPrivileges", "false", "true",
                    "is false: setuid programs and file capabilities could gain privileges"))
        p.noNewPrivileges = true;
}

void apparmor(Ctx& x, spec::Process& p) {
    if (x.mode("apparmor") == Mode::Off) return;
    if (!p.apparmorProfile.empty() && p.apparmorProfile != "unconfined") return;
    std::string requested = p.apparmorProfile.empty() ? "none" : p.apparmorProfile;
    if (!x.host.apparmor) {
        x.add("apparmor", "process.apparmorProfile", requested, requested, "AppArmor is not enabled on this host", "info");
        return;
    }
    std::string profile = x.control("apparmor").str("profile");
    if (x.violation("apparmor", "process.apparmorProfile", requested, profile,
                    p.apparmorProfile.empty() ? "is missing: the process would run unconfined" : "is \"unconfined\""))
        p.apparmorProfile = profile;
}

// uid 0 of the host: uid 0 in the container with no user namespace mapping it elsewhere.
void user_root(Ctx& x, spec::Process& p, const spec::Linux* l) {
    if (p.user.uid != 0) return;
    if (l && l->find_namespace("user"))
        for (const auto& m : l->uidMappings)
            if (m.containerID == 0 && m.size > 0 && m.hostID != 0) return;
    if (x.violation("user.root", "process.user.uid", "0", "65534", "is 0: the process runs as the host's root")) {
        p.user.uid = p.user.gid = 65534;
        p.user.additionalGids.clear();
    }
}

// Landlock: no executing from writable mounts, no writing under /proc and /sys, signals and
// abstract unix sockets scoped to the container (ABI 6). The launcher builds the domain inside the
// container from this list (libcontainer/process/landlock.cpp).
void landlock(Ctx& x, spec::Spec& s) {
    const std::string id = "landlock";
    Mode m = x.mode(id);
    if (m == Mode::Off) return;
    if (x.host.landlock_abi <= 0) {
        x.add(id, "linux", "", "no Landlock domain", "the kernel has no Landlock: the container runs without it", "info");
        return;
    }
    spec::Landlock ll;
    for (const auto& mnt : s.mounts) {
        if (readonly(mnt)) continue;
        bool writable = mnt.type == "tmpfs" || is_bind(mnt) || mnt.type == "mqueue";
        if (mnt.type == "proc" || mnt.type == "sysfs")
            ll.noWrite.push_back(mnt.destination);
        else if (writable)
            ll.noExec.push_back(mnt.destination);
    }
    for (const char* p : {"/proc", "/sys"})
        if (!contains(ll.noWrite, p)) ll.noWrite.push_back(p);
    ll.scopeSignals = ll.scopeAbstractUnix = x.host.landlock_abi >= 6;
    std::string applied = "no exec under " + join(ll.noExec) + "; no write under " + join(ll.noWrite) +
                          (ll.scopeSignals ? "; signals and abstract unix sockets scoped" : "");
    if (m == Mode::Audit) {
        x.add(id, "linux", "no Landlock domain", "no Landlock domain", "would apply: " + applied, "audit");
        return;
    }
    x.add(id, "linux", "no Landlock domain", applied,
          "writable mounts could run dropped binaries; /proc and /sys hold the kernel's knobs" +
              std::string(x.host.landlock_abi < 6 ? " (Landlock ABI " + std::to_string(x.host.landlock_abi) +
                                                        " < 6: no signal or socket scoping)"
                                                  : ""));
    s.linux->landlock = ll;
}

// A negative oomScoreAdj below the runtime's own would need CAP_SYS_RESOURCE (failing at the end
// of create with EACCES) and would make the container outlive its engine under memory pressure.
void oom_score(Ctx& x, spec::Process& p) {
    if (!p.oomScoreAdj || *p.oomScoreAdj >= x.host.oom_score_adj) return;
    std::string req = std::to_string(*p.oomScoreAdj), floor = std::to_string(x.host.oom_score_adj);
    if (x.violation("oom_score_adj", "process.oomScoreAdj", req, floor,
                    "is below the runtime's own (" + floor + "): the container would be harder to kill than its engine"))
        p.oomScoreAdj = x.host.oom_score_adj;
}

// RLIMIT_RTPRIO, RLIMIT_NICE and RLIMIT_MEMLOCK above the runtime's own hard limit give what
// CAP_SYS_NICE and CAP_IPC_LOCK would (real-time scheduling, raised priority, pinned memory),
// which the capabilities control withholds: lowered to the runtime's hard limit.
void rlimits(Ctx& x, spec::Process& p) {
    const std::string id = "rlimits";
    if (x.mode(id) == Mode::Off) return;
    for (size_t i = 0; i < p.rlimits.size(); ++i) {
        auto& r = p.rlimits[i];
        auto it = x.host.rlimit_hard.find(r.type);
        if (it == x.host.rlimit_hard.end() || (r.hard <= it->second && r.soft <= it->second)) continue;
        uint64_t cap = it->second;
        std::string req = std::to_string(r.soft) + "/" + std::to_string(r.hard);
        std::string applied = std::to_string(std::min(r.soft, cap)) + "/" + std::to_string(std::min(r.hard, cap));
        if (x.violation(id, "process.rlimits[" + std::to_string(i) + "]", r.type + " " + req, r.type + " " + applied,
                        r.type + " above the runtime's own hard limit (" + std::to_string(cap) +
                            ") grants what a withheld capability would")) {
            r.soft = std::min(r.soft, cap);
            r.hard = std::min(r.hard, cap);
        }
    }
}

}  // namespace docklock::policy::detail
