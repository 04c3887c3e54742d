#include "policy.hpp"

#include <sys/apparmor.h>

#include <algorithm>

#include "../../caps/caps.hpp"

namespace docklock::policy {

HostFacts HostFacts::probe() {
    HostFacts h;
    h.bounding = caps::bounding_set_of_self();
    h.apparmor = aa_is_enabled() == 1;
    return h;
}

nlohmann::json Finding::to_json() const {
    return {{"control", control}, {"field", field}, {"requested", requested}, {"applied", applied}, {"reason", reason}};
}

std::string Finding::to_line() const {
    return control + ": " + field + ": requested " + requested + ", applied " + applied + " (" + reason + ")";
}

namespace {

// Capabilities outside the runtime's bounding set cannot be granted by any runtime; runc and crun
// fail the whole container ("unable to apply caps"). docklock drops them and says so.
void intersect_caps(spec::Process& p, const HostFacts& host, std::vector<Finding>& out) {
    if (!p.capabilities) return;
    auto& c = *p.capabilities;
    std::vector<std::string> dropped;
    for (auto* set : {&c.bounding, &c.effective, &c.permitted, &c.inheritable, &c.ambient}) {
        std::vector<std::string> keep;
        for (const auto& n : *set) {
            int v = caps::from_name(n);
            if (v >= 0 && v < 64 && !(host.bounding & (1ULL << v))) {
                if (std::find(dropped.begin(), dropped.end(), n) == dropped.end()) dropped.push_back(n);
                continue;
            }
            keep.push_back(n);
        }
        *set = keep;
    }
    for (const auto& n : dropped)
        out.push_back({"host.capabilities", "process.capabilities", n, "dropped",
                       "not in the runtime's bounding set on this host, so no runtime can grant it"});
}

}  // namespace

spec::Process apply_to_process(const spec::Process& requested, const Policy&, const HostFacts& host,
                               std::vector<Finding>& findings) {
    spec::Process p = requested;
    intersect_caps(p, host, findings);
    return p;
}

Result apply(const spec::Spec& requested, const Policy& policy, const HostFacts& host) {
    Result r{requested, {}};
    if (r.spec.process) r.spec.process = apply_to_process(*r.spec.process, policy, host, r.findings);
    return r;
}

}  // namespace docklock::policy
