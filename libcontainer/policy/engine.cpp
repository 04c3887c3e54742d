// apply(): the controls in order over a copy of the request. Pure: everything about the host comes
// from HostFacts.
#include "../objects/lexical.hpp"
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
        oom_score(x, p);             // as at create: exec's process.json is the client's too
        rlimits(x, p);
    }
    host_capabilities(host, p, findings);
    return p;
}

std::vector<std::string> object_paths(const Policy& policy) {
    std::vector<std::string> out{"/"};
    const Control& ms = policy.control("mounts.sensitive");
    for (const char* key : {"reject", "readonly"})
        for (const auto& p : ms.list(key)) out.push_back(p);
    return out;
}

namespace {

// The setup code's view of the result: each mount's requested index and its options through the
// one normalizer, computed here once so that what was judged is what gets mounted.
void seal(spec::Spec& s) {
    for (auto& m : s.mounts) m.normalized = spec::parse_mount_options(m.options);
}

}  // namespace

Result apply(const spec::Spec& requested_in, const Policy& policy, const HostFacts& host) {
    spec::Spec requested = requested_in;
    for (size_t i = 0; i < requested.mounts.size(); ++i) requested.mounts[i].origin = static_cast<int>(i);
    if (requested.linux)
        for (size_t i = 0; i < requested.linux->namespaces.size(); ++i)
            requested.linux->namespaces[i].origin = static_cast<int>(i);
    Result r{requested, {}};
    if (policy.off) {
        if (r.spec.process) host_capabilities(host, *r.spec.process, r.findings);
        seal(r.spec);
        return r;
    }
    objects::SpecFacts lexical;
    if (!host.objects.resolved)
        lexical = objects::lexical(requested, {host.resolve, host.readlink, host.is_host_namespace, host.bundle, host.socket},
                                   object_paths(policy));
    const objects::SpecFacts& facts = host.objects.resolved ? host.objects : lexical;
    spec::Spec& s = r.spec;
    if (!s.linux) s.linux = spec::Linux{};
    Ctx x{policy, host, r.findings, requested.annotations, facts};
    privileged(x, requested);
    userns(x, s);  // first: user.root looks at the mapping it may add
    if (s.process) {
        capabilities(x, *s.process);
        host_capabilities(host, *s.process, r.findings);
        no_new_privileges(x, *s.process);
        apparmor(x, *s.process);
        user_root(x, *s.process, &*s.linux);
        oom_score(x, *s.process);
        rlimits(x, *s.process);
    }
    namespaces(x, *s.linux);
    uts_names(x, s);
    mounts(x, s);
    devices(x, *s.linux);
    paths(x, s);
    resources(x, *s.linux);
    sysctls(x, *s.linux);
    hooks(x, s.hooks);
    seccomp(x, s);
    landlock(x, s);
    seal(s);
    return r;
}

}  // namespace docklock::policy
