// Checks beyond types: values the kernel would otherwise reject half-way through create.
#include <set>

#include "../util/error.hpp"
#include "spec.hpp"

namespace docklock::spec {

static const std::set<std::string> kNamespaceTypes{"mount", "pid", "network", "ipc", "uts", "user", "cgroup", "time"};

void validate(const Spec& s, const std::string& origin) {
    auto fail = [&](const std::string& field, const std::string& msg) { throw Error(origin + ": " + field + ": " + msg); };
    if (s.ociVersion.rfind("1.", 0) != 0) fail("ociVersion", "unsupported version \"" + s.ociVersion + "\" (want 1.x)");
    if (s.root.path.empty()) fail("root.path", "required");
    if (!s.process) fail("process", "required");
    if (s.process->args.empty() && s.process->commandLine.empty()) fail("process.args", "must not be empty");
    if (!s.process->cwd.empty() && s.process->cwd[0] != '/') fail("process.cwd", "must be an absolute path");
    for (size_t i = 0; i < s.process->rlimits.size(); ++i) {
        const auto& r = s.process->rlimits[i];
        if (r.type.rfind("RLIMIT_", 0) != 0)
            fail("process.rlimits[" + std::to_string(i) + "].type", "unknown rlimit \"" + r.type + "\"");
        if (r.soft > r.hard) fail("process.rlimits[" + std::to_string(i) + "]", "soft limit exceeds hard limit");
    }
    if (!s.linux) fail("linux", "required on Linux");
    std::set<std::string> seen;
    for (size_t i = 0; i < s.linux->namespaces.size(); ++i) {
        const auto& n = s.linux->namespaces[i];
        std::string f = "linux.namespaces[" + std::to_string(i) + "].type";
        if (!kNamespaceTypes.count(n.type)) fail(f, "unknown namespace type \"" + n.type + "\"");
        if (!seen.insert(n.type).second) fail(f, "duplicate namespace \"" + n.type + "\"");
        if (!n.path.empty() && n.path[0] != '/') fail("linux.namespaces[" + std::to_string(i) + "].path", "must be absolute");
    }
    bool userns = seen.count("user") > 0;
    if (!userns && (!s.linux->uidMappings.empty() || !s.linux->gidMappings.empty()))
        fail("linux.uidMappings", "mappings given without a user namespace");
    const Namespace* u = s.linux->find_namespace("user");
    if (u && u->path.empty() && (s.linux->uidMappings.empty() || s.linux->gidMappings.empty()))
        fail("linux.uidMappings", "a new user namespace needs uidMappings and gidMappings");
    for (size_t i = 0; i < s.linux->devices.size(); ++i) {
        const auto& d = s.linux->devices[i];
        std::string f = "linux.devices[" + std::to_string(i) + "]";
        if (d.type != "c" && d.type != "b" && d.type != "u" && d.type != "p")
            fail(f + ".type", "unknown device type \"" + d.type + "\"");
        if (d.path.empty() || d.path[0] != '/') fail(f + ".path", "must be an absolute path");
    }
    for (size_t i = 0; i < s.mounts.size(); ++i)
        if (s.mounts[i].destination.empty()) fail("mounts[" + std::to_string(i) + "].destination", "must not be empty");
    const auto& prop = s.linux->rootfsPropagation;
    if (!prop.empty() && prop != "private" && prop != "rprivate" && prop != "slave" && prop != "rslave" && prop != "shared" &&
        prop != "rshared" && prop != "unbindable" && prop != "runbindable")
        fail("linux.rootfsPropagation", "unknown propagation \"" + prop + "\"");
    auto check_hooks = [&](const char* name, const std::vector<Hook>& hs) {
        for (size_t i = 0; i < hs.size(); ++i)
            if (hs[i].path.empty() || hs[i].path[0] != '/')
                fail(std::string("hooks.") + name + "[" + std::to_string(i) + "].path", "must be an absolute path");
    };
    check_hooks("prestart", s.hooks.prestart);
    check_hooks("createRuntime", s.hooks.createRuntime);
    check_hooks("createContainer", s.hooks.createContainer);
    check_hooks("startContainer", s.hooks.startContainer);
    check_hooks("poststart", s.hooks.poststart);
    check_hooks("poststop", s.hooks.poststop);
}

}  // namespace docklock::spec
