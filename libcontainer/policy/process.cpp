// Process-level controls besides capabilities: no_new_privileges, AppArmor, running as root.
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

void userns(Ctx& x, spec::Linux& l) {
    if (l.find_namespace("user")) return;
    if (x.mode("userns") == Mode::Enforce) {
        x.add("userns", "linux.namespaces", "no user namespace", "no user namespace",
              "userns remap not implemented yet: the container's root is the host's root", "info");
        return;
    }
    x.violation("userns", "linux.namespaces", "no user namespace", "", "has no user namespace");
}

void landlock(Ctx& x) {
    if (x.mode("landlock") == Mode::Off) return;
    x.add("landlock", "process", "", "",
          x.host.landlock_abi > 0 ? "landlock rules are not implemented yet: none applied"
                                  : "the kernel has no Landlock (and landlock rules are not implemented yet)",
          "info");
}

}  // namespace docklock::policy::detail
