// OCI hooks run on the host as root: only allowlisted executables. /proc/<pid>/exe (Docker's
// libnetwork-setkey prestart hook runs dockerd that way) is judged by what it points at.
#include "controls.hpp"

namespace docklock::policy::detail {
namespace {

// "/proc/<pid>/exe" (no std::regex: building one costs a cold create a few hundred µs)
bool is_proc_exe(const std::string& p) {
    const std::string head = "/proc/", tail = "/exe";
    if (p.size() <= head.size() + tail.size() || p.compare(0, head.size(), head) != 0 ||
        p.compare(p.size() - tail.size(), tail.size(), tail) != 0)
        return false;
    for (size_t i = head.size(); i < p.size() - tail.size(); ++i)
        if (p[i] < '0' || p[i] > '9') return false;
    return true;
}

}  // namespace

void hooks(Ctx& x, spec::Hooks& h) {
    const std::string id = "hooks";
    if (x.mode(id) == Mode::Off) return;
    std::vector<std::string> allow = x.allowed(id);
    for (auto [list, name] : {std::pair{&h.prestart, "prestart"}, std::pair{&h.createRuntime, "createRuntime"},
                              std::pair{&h.createContainer, "createContainer"},
                              std::pair{&h.startContainer, "startContainer"}, std::pair{&h.poststart, "poststart"},
                              std::pair{&h.poststop, "poststop"}}) {
        std::vector<spec::Hook> kept;
        for (size_t i = 0; i < list->size(); ++i) {
            const auto& hook = (*list)[i];
            bool via_proc = is_proc_exe(hook.path);
            std::string target = via_proc ? x.host.link_target(hook.path) : x.host.resolved(hook.path);
            if (auto d = target.rfind(" (deleted)"); d != std::string::npos && d + 10 == target.size()) target.resize(d);
            std::string base = target.substr(target.rfind('/') + 1);
            bool ok = !target.empty() && [&] {
                for (const auto& a : allow)
                    if (!a.empty() && ((a[0] == '/' && (a == target || a == hook.path)) || (a[0] != '/' && a == base)))
                        return true;
                return false;
            }();
            if (ok) {
                kept.push_back(hook);
                continue;
            }
            std::string field = std::string("hooks.") + name + "[" + std::to_string(i) + "].path";
            std::string what = "\"" + hook.path + "\"" +
                               (target.empty() ? " cannot be resolved"
                                               : (target != hook.path ? " (resolves to " + target + ")" : "") +
                                                     " is not an allowed hook executable");
            if (!x.violation(id, field, hook.path, "hook dropped", what, target.empty() ? "" : "\"" + base + "\""))
                kept.push_back(hook);
        }
        *list = kept;
    }
}

}  // namespace docklock::policy::detail
