// Capabilities: an allowlist, a never-list no exception can grant, inheritable and ambient emptied;
// then what the host's own bounding set cannot grant (also with --policy off).
#include <algorithm>

#include "../../caps/caps.hpp"
#include "controls.hpp"

namespace docklock::policy::detail {
namespace {

void keep_only(spec::Capabilities& c, const std::vector<std::string>& drop) {
    for (auto* set : {&c.bounding, &c.effective, &c.permitted, &c.inheritable, &c.ambient})
        set->erase(std::remove_if(set->begin(), set->end(), [&](const std::string& n) { return contains(drop, n); }),
                   set->end());
}

}  // namespace

void capabilities(Ctx& x, spec::Process& p) {
    if (x.mode("capabilities") == Mode::Off || !p.capabilities) return;
    auto& c = *p.capabilities;
    const auto& never = x.control("capabilities").list("never");
    std::vector<std::string> allow = x.allowed("capabilities");
    std::vector<std::string> on_never, not_allowed;
    for (auto* set : {&c.bounding, &c.effective, &c.permitted, &c.inheritable, &c.ambient})
        for (const auto& n : *set) {
            if (contains(never, n)) {
                if (!contains(on_never, n)) on_never.push_back(n);
            } else if (!contains(allow, n) && !contains(not_allowed, n)) {
                not_allowed.push_back(n);
            }
        }
    if (!on_never.empty() &&
        x.violation("capabilities", "process.capabilities", join(on_never), "dropped",
                    join(on_never, ", ") + (on_never.size() > 1 ? " are" : " is") +
                        " on capabilities.never, which no exception can grant",
                    "", "never"))
        keep_only(c, on_never);
    if (!not_allowed.empty() &&
        x.violation("capabilities", "process.capabilities", join(not_allowed), "dropped",
                    join(not_allowed, ", ") + (not_allowed.size() > 1 ? " are" : " is") + " not in capabilities.allow",
                    not_allowed.size() > 1 ? "them" : "it"))
        keep_only(c, not_allowed);
    for (auto [set, name] : {std::pair{&c.inheritable, "inheritable"}, std::pair{&c.ambient, "ambient"}}) {
        if (set->empty()) continue;
        if (x.violation("capabilities", std::string("process.capabilities.") + name, join(*set), "[]",
                        std::string(name) + " capabilities survive execve into the container's programs"))
            set->clear();
    }
}

// Capabilities outside the runtime's bounding set cannot be granted by any runtime; runc and crun
// fail the whole container ("unable to apply caps"). docklock drops them and says so.
void host_capabilities(const HostFacts& host, spec::Process& p, std::vector<Finding>& out) {
    if (!p.capabilities) return;
    auto& c = *p.capabilities;
    std::vector<std::string> dropped;
    for (auto* set : {&c.bounding, &c.effective, &c.permitted, &c.inheritable, &c.ambient})
        for (const auto& n : *set) {
            int v = caps::from_name(n);
            if (v >= 0 && v < 64 && !(host.bounding & (1ULL << v)) && !contains(dropped, n)) dropped.push_back(n);
        }
    keep_only(c, dropped);
    for (const auto& n : dropped)
        out.push_back({"host.capabilities", "process.capabilities", n, "dropped",
                       "not in the runtime's bounding set on this host, so no runtime can grant it", "changed"});
}

}  // namespace docklock::policy::detail
