// apply(): the controls in order over a copy of the request. Pure: everything about the host comes
// from HostFacts.
#include "controls.hpp"

namespace docklock::policy {

using namespace detail;

spec::Process apply_to_process(const spec::Process& requested, const Policy& policy, const HostFacts& host,
                               std::vector<Finding>& findings, const std::map<std::string, std::string>& annotations,
                               const spec::Linux* container) {
    spec::Process p = requested;
    if (!policy.off) {
        Ctx x{policy, host, findings, annotations};
        capabilities(x, p);
        no_new_privileges(x, p);
        apparmor(x, p);
        user_root(x, p, container);  // root of a remapped container is not the host's
    }
    host_capabilities(host, p, findings);
    return p;
}

Result apply(const spec::Spec& requested, const Policy& policy, const HostFacts& host) {
    Result r{requested, {}};
    if (policy.off) {
        if (r.spec.process) host_capabilities(host, *r.spec.process, r.findings);
        return r;
    }
    spec::Spec& s = r.spec;
    if (!s.linux) s.linux = spec::Linux{};
    Ctx x{policy, host, r.findings, requested.annotations};
    privileged(x, requested);
    userns(x, s);  // first: user.root looks at the mapping it may add
    if (s.process) {
        capabilities(x, *s.process);
        host_capabilities(host, *s.process, r.findings);
        no_new_privileges(x, *s.process);
        apparmor(x, *s.process);
        user_root(x, *s.process, &*s.linux);
    }
    namespaces(x, *s.linux);
    mounts(x, s);
    devices(x, *s.linux);
    paths(x, s);
    resources(x, *s.linux);
    sysctls(x, *s.linux);
    hooks(x, s.hooks);
    seccomp(x, s);
    landlock(x, s);
    return r;
}

}  // namespace docklock::policy
