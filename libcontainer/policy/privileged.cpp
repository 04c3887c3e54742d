// Docker expresses --privileged only through markers: every capability, no seccomp, AppArmor
// unconfined, no masked or read-only paths, a writable /sys and an allow-all device rule. The other
// controls reverse each marker; this one recognises the request, says it was downgraded, and lets
// the devices control replace the host's whole device list by the baseline instead of refusing it.
#include "controls.hpp"

namespace docklock::policy::detail {

void privileged(Ctx& x, const spec::Spec& s) {
    if (x.mode("privileged") == Mode::Off) return;
    std::vector<std::string> markers;
    bool all_devices = false, sys_admin = false, no_masks = false;
    if (s.process && s.process->capabilities && contains(s.process->capabilities->bounding, "CAP_SYS_ADMIN")) {
        sys_admin = true;
        markers.push_back("CAP_SYS_ADMIN among " + std::to_string(s.process->capabilities->bounding.size()) +
                          " capabilities");
    }
    if (s.linux && !s.linux->seccomp) markers.push_back("no seccomp");
    if (s.process && (s.process->apparmorProfile.empty() || s.process->apparmorProfile == "unconfined"))
        markers.push_back("AppArmor unconfined");
    if (s.linux && s.linux->maskedPaths.empty() && s.linux->readonlyPaths.empty()) {
        no_masks = true;
        markers.push_back("no masked or read-only paths");
    }
    for (const auto& m : s.mounts)
        if (m.type == "sysfs" && !readonly(m)) markers.push_back("writable /sys");
    if (s.linux && s.linux->resources)
        for (const auto& r : s.linux->resources->devices)
            if (r.allow && (r.type.empty() || r.type == "a") && !r.major && !r.minor) all_devices = true;
    if (all_devices) markers.push_back("all devices");
    // The three markers only --privileged produces together; any one alone is judged by its control.
    if (!(all_devices && sys_admin && no_masks)) return;
    std::string what = "is a privileged request (" + join(markers, ", ") + ")";
    if (x.mode("privileged") == Mode::Enforce) {
        x.privileged = true;
        x.add("privileged", "process, linux", join(markers, ", "), "the baseline",
              "privileged request downgraded: the controls below apply the baseline to each marker");
        return;
    }
    x.violation("privileged", "process, linux", join(markers, ", "), "the baseline", "the config " + what);
}

}  // namespace docklock::policy::detail
