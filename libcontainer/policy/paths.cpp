// Masked and read-only paths: the baseline lists are applied in addition to what was requested;
// sysfs and cgroup mounts are read-only.
#include <linux/mount.h>

#include "controls.hpp"

namespace docklock::policy::detail {
namespace {

void append(Ctx& x, const std::string& id, const std::string& field, std::vector<std::string>& list) {
    if (x.mode(id) == Mode::Off) return;
    std::vector<std::string> missing;
    for (const auto& p : x.control(id).list("add"))
        if (!contains(list, p)) missing.push_back(p);
    if (missing.empty()) return;
    std::vector<std::string> after = list;
    after.insert(after.end(), missing.begin(), missing.end());
    if (x.violation(id, field, list.empty() ? "[]" : join(list), join(after),
                    "lacks " + join(missing, ", ") + " of the baseline"))
        list = after;
}

}  // namespace

void paths(Ctx& x, spec::Spec& s) {
    append(x, "paths.masked", "linux.maskedPaths", s.linux->maskedPaths);
    append(x, "paths.readonly", "linux.readonlyPaths", s.linux->readonlyPaths);
    if (x.mode("paths.readonly") == Mode::Off) return;
    for (size_t i = 0; i < s.mounts.size(); ++i) {
        auto& m = s.mounts[i];
        if (is_bind(m) || (m.type != "sysfs" && m.type != "cgroup" && m.type != "cgroup2") || readonly(m)) continue;
        std::vector<std::string> after = m.options;
        spec::force_attr(after, MOUNT_ATTR_RDONLY);
        if (x.violation("paths.readonly", "mounts[" + std::to_string(i) + "].options", join(m.options), join(after),
                        m.destination + " (" + m.type + ") is writable"))
            m.options = after;
    }
}

}  // namespace docklock::policy::detail
