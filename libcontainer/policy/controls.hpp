// Internal to the engine: the state one apply() threads through the controls, and the controls.
// One file per control family; each reads its Control from the policy and records findings.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "policy.hpp"

namespace docklock::policy::detail {

struct Ctx {
    Ctx(const Policy& p, const HostFacts& h, std::vector<Finding>& f, const std::map<std::string, std::string>& a,
        const objects::SpecFacts& o = objects::SpecFacts{})
        : policy(p), host(h), findings(f), annotations(a), obj(o) {}
    const Policy& policy;
    const HostFacts& host;
    std::vector<Finding>& findings;
    const std::map<std::string, std::string>& annotations;  // only read for the policy's trusted exceptions
    const objects::SpecFacts& obj;                          // the requested spec's objects (by requested index)
    bool privileged = false;                                // a privileged request, downgraded (privileged.cpp)

    const Control& control(const std::string& id) const { return policy.control(id); }
    Mode mode(const std::string& id) const { return policy.control(id).mode; }
    // `control`'s `key` list plus what trusted exceptions present on this container add to "allow".
    std::vector<std::string> allowed(const std::string& id, const std::string& key = "allow");

    void add(const std::string& control, const std::string& field, const std::string& requested, const std::string& applied,
             const std::string& reason, const std::string& action = "changed");
    // A request that breaks `control`. Records the finding its mode asks for and returns true when
    // the caller must rewrite (enforce). `what` is the predicate ("\"/x\" is the host's root"),
    // `allow_hint` an item the admin could add to `<control>.<hint_key>` to allow it ("" for none).
    bool violation(const std::string& control, const std::string& field, const std::string& requested, const std::string& applied,
                   const std::string& what, const std::string& allow_hint = "", const std::string& hint_key = "allow");

private:
    std::map<std::string, bool> exceptions_noted_;
};

std::string join(const std::vector<std::string>& v, const std::string& sep = ",");
bool contains(const std::vector<std::string>& v, const std::string& s);
bool is_bind(const spec::Mount& m);  // by the normalized options (spec::kind_of)
bool has_option(const spec::Mount& m, const std::string& o);
spec::MountOptions normalized(const spec::Mount& m);
bool readonly(const spec::Mount& m);  // read-only on every mount it makes (normalized)
// The facts of the object mounts[] entry `m` came from (its requested index), or null.
const objects::Facts* source_facts(const Ctx& x, const spec::Mount& m);
// Does the devices control allow this device number (the baseline's plus devices.allow)?
bool device_allowed(Ctx& x, char type, int64_t major, int64_t minor);
bool under(const std::string& path, const std::string& dir);  // path is dir or inside it
// `pattern` with * matching one component; a path matches when it or one of its parents does.
bool matches_allow(const std::string& path, const std::string& pattern);

void privileged(Ctx& x, const spec::Spec& requested);
void capabilities(Ctx& x, spec::Process& p);
void host_capabilities(const HostFacts& host, spec::Process& p, std::vector<Finding>& out);
void no_new_privileges(Ctx& x, spec::Process& p);
void apparmor(Ctx& x, spec::Process& p);
void user_root(Ctx& x, spec::Process& p, const spec::Linux* l);
void userns(Ctx& x, spec::Spec& s);  // userns.cpp
void landlock(Ctx& x, spec::Spec& s);
void namespaces(Ctx& x, spec::Linux& l);
void uts_names(Ctx& x, const spec::Spec& s);  // namespaces.cpp: no hostname set in the host's uts
void mounts(Ctx& x, spec::Spec& s);
void sockets(Ctx& x, spec::Spec& s);  // mounts.sockets (sockets.cpp), called by mounts()
void devices(Ctx& x, spec::Linux& l);
void paths(Ctx& x, spec::Spec& s);
void resources(Ctx& x, spec::Linux& l);
void sysctls(Ctx& x, spec::Linux& l);
void hooks(Ctx& x, spec::Hooks& h);
void oom_score(Ctx& x, spec::Process& p);
void rlimits(Ctx& x, spec::Process& p);
void seccomp(Ctx& x, spec::Spec& s);

bool private_namespace(const Ctx& x, const spec::Linux& l, const std::string& type);

}  // namespace docklock::policy::detail
