// mounts.sockets: a bind whose source is a unix socket is judged by who listens on it, not by its
// path. A socket held by a process running as the host's root (docker.sock, containerd.sock,
// podman.sock, under any name, at any path) hands the container that process's authority; one
// whose listener cannot be found is refused too (fail closed). An admin allows a socket by path.
#include <sys/stat.h>

#include <algorithm>

#include "../objects/facts.hpp"
#include "controls.hpp"

namespace docklock::policy::detail {

void sockets(Ctx& x, spec::Spec& s) {
    const std::string id = "mounts.sockets";
    if (x.mode(id) == Mode::Off) return;
    std::vector<std::string> allow = x.allowed(id);
    std::vector<spec::Mount> kept;
    for (size_t i = 0; i < s.mounts.size(); ++i) {
        const spec::Mount& m = s.mounts[i];
        const objects::Facts* f = is_bind(m) ? source_facts(x, m) : nullptr;
        if (!f || !f->opened() || !S_ISSOCK(f->mode)) {  // not a socket (unopened: mounts.sensitive refuses)
            kept.push_back(m);
            continue;
        }
        bool allowed = std::any_of(allow.begin(), allow.end(), [&](const std::string& a) {
            return matches_allow(f->path, a) || matches_allow(f->path, x.host.resolved(a));
        });
        if (allowed) {
            kept.push_back(m);
            continue;
        }
        const char* saw = x.obj.resolved ? " (opened: " : " (resolves to ";
        std::string shown = "\"" + m.source + "\"" + (f->path != m.source ? saw + f->path + ")" : "");
        const objects::Listener& l = f->listener;
        std::string what;
        if (!l.found)
            what = shown + " is a unix socket whose listener cannot be determined (" + l.unknown + ")";
        else if (l.host_root)
            what = shown + " is a unix socket whose listener " + l.comm + (l.pid ? " (pid " + std::to_string(l.pid) + ")" : "") +
                   " runs as the host's root: the container would command it";
        if (what.empty()) {
            kept.push_back(m);
            continue;
        }
        if (!x.violation(id, "mounts[" + std::to_string(i) + "].source", m.source, "mount dropped", what, "\"" + f->path + "\""))
            kept.push_back(m);
    }
    s.mounts = kept;
}

}  // namespace docklock::policy::detail
