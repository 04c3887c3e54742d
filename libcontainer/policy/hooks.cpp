// OCI hooks run on the host as root: only allowlisted executables. /proc/<pid>/exe (Docker's
// libnetwork-setkey prestart hook runs dockerd that way) is judged by what it points at.
#include <regex>

#include "controls.hpp"

namespace docklock::policy::detail {

void hooks(Ctx& x, spec::Hooks& h) {
    const std::string id = "hooks";
    if (x.mode(id) == Mode::Off) return;
    std::vector<std::string> allow = x.allowed(id);
    static const std::regex proc_exe("^/proc/[0-9]+/exe$");
    for (auto [list, name] : {std::pair{&h.prestart, "prestart"}, std::pair{&h.createRuntime, "createRuntime"},
                              std::pair{&h.createContainer, "createContainer"},
                              std::pair{&h.startContainer, "startContainer"}, std::pair{&h.poststart, "poststart"},
                              std::pair{&h.poststop, "poststop"}}) {
        std::vector<spec::Hook> kept;
        for (size_t i = 0; i < list->size(); ++i) {
            const auto& hook = (*list)[i];
            bool via_proc = std::regex_match(hook.path, proc_exe);
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
