// Mounts: sensitive bind sources (resolved through the host's symlinks) refused or read-only,
// nosuid,nodev on every bind, no shared or slave propagation.
#include <algorithm>

#include "controls.hpp"

namespace docklock::policy::detail {

bool is_bind(const spec::Mount& m) {
    return m.type == "bind" || has_option(m, "bind") || has_option(m, "rbind");
}

bool has_option(const spec::Mount& m, const std::string& o) {
    return contains(m.options, o);
}

bool under(const std::string& path, const std::string& dir) {  // path is dir or inside it
    if (dir == "/") return true;
    return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/');
}

// `pattern` with * matching one component; a path matches when it or one of its parents does.
bool matches_allow(const std::string& path, const std::string& pattern) {
    auto split = [](const std::string& p) {
        std::vector<std::string> v;
        size_t i = 1;
        while (i <= p.size()) {
            size_t j = p.find('/', i);
            if (j == std::string::npos) j = p.size();
            if (j > i) v.push_back(p.substr(i, j - i));
            i = j + 1;
        }
        return v;
    };
    auto a = split(path), b = split(pattern);
    if (a.size() < b.size()) return false;
    for (size_t i = 0; i < b.size(); ++i)
        if (b[i] != "*" && b[i] != a[i]) return false;
    return true;
}

namespace {

std::string describe(const std::string& p) {
    static const std::map<std::string, std::string> names{{"/", "the host's root filesystem"},
                                                          {"/run/docker.sock", "the Docker engine socket"},
                                                          {"/run/docker", "Docker's runtime state"},
                                                          {"/run/containerd", "containerd's socket and state"},
                                                          {"/var/lib/docker", "Docker's state"},
                                                          {"/var/lib/containerd", "containerd's state"},
                                                          {"/var/lib/kubelet", "the kubelet's state"},
                                                          {"/run/crio", "CRI-O's socket and state"},
                                                          {"/var/lib/containers", "Podman's and CRI-O's storage"},
                                                          {"/run/podman", "the Podman socket"}};
    auto it = names.find(p);
    return it == names.end() ? "a sensitive host path" : it->second;
}

void sensitive(Ctx& x, spec::Spec& s) {
    const std::string id = "mounts.sensitive";
    if (x.mode(id) == Mode::Off) return;
    const auto& reject = x.control(id).list("reject");
    const auto& readonly = x.control(id).list("readonly");
    std::vector<std::string> allow = x.allowed(id);
    std::vector<spec::Mount> kept;
    for (size_t i = 0; i < s.mounts.size(); ++i) {
        spec::Mount& m = s.mounts[i];
        if (!is_bind(m) || m.source.empty() || m.source[0] != '/') {  // relative: inside the bundle
            kept.push_back(m);
            continue;
        }
        std::string field = "mounts[" + std::to_string(i) + "].source";
        std::string r = x.host.resolved(m.source);
        std::string shown = "\"" + m.source + "\"" + (r != m.source ? " (resolves to " + r + ")" : "");
        bool allowed = std::any_of(allow.begin(), allow.end(), [&](const std::string& a) {
            return matches_allow(r, a) || matches_allow(r, x.host.resolved(a));
        });
        std::string hit, what;
        for (const auto& e : allowed ? std::vector<std::string>{} : reject) {
            for (const std::string& ev : {e, x.host.resolved(e)}) {
                if (!hit.empty()) break;
                if (r == ev) {
                    hit = ev, what = " is " + describe(e);
                } else if (under(ev, r)) {
                    hit = ev, what = " contains " + ev + " (" + describe(e) + ")";
                } else if (ev != "/" && under(r, ev)) {
                    hit = ev, what = " is inside " + ev + " (" + describe(e) + ")";
                }
            }
        }
        if (!hit.empty()) {
            if (x.violation(id, field, m.source, "mount dropped", shown + what, "\"" + r + "\"")) continue;
            kept.push_back(m);
            continue;
        }
        if (!has_option(m, "ro")) {
            auto ro = std::find_if(readonly.begin(), readonly.end(),
                                   [&](const std::string& d) { return under(r, d) || under(r, x.host.resolved(d)); });
            if (ro != readonly.end()) {
                std::string ofield = "mounts[" + std::to_string(i) + "].options";
                std::string what2 = shown + " is under " + *ro + ": bound read-only";
                if (x.mode(id) == Mode::Audit) {
                    x.add(id, ofield, join(m.options), join(m.options), what2, "audit");
                } else {
                    std::string before = join(m.options);
                    m.options.erase(std::remove(m.options.begin(), m.options.end(), "rw"), m.options.end());
                    m.options.push_back("ro");
                    x.add(id, ofield, before, join(m.options), what2);
                }
            }
        }
        kept.push_back(m);
    }
    s.mounts = kept;
}

void options(Ctx& x, spec::Spec& s) {
    const std::string id = "mounts.options";
    if (x.mode(id) == Mode::Off) return;
    static const std::map<std::string, std::string> opposite{
        {"nosuid", "suid"}, {"nodev", "dev"}, {"noexec", "exec"}, {"ro", "rw"}};
    const auto& add = x.control(id).list("add");
    for (size_t i = 0; i < s.mounts.size(); ++i) {
        spec::Mount& m = s.mounts[i];
        if (!is_bind(m)) continue;
        std::vector<std::string> missing;
        for (const auto& o : add)
            if (!has_option(m, o)) missing.push_back(o);
        if (missing.empty()) continue;
        std::vector<std::string> after = m.options;
        for (const auto& o : missing) {
            auto op = opposite.find(o);
            if (op != opposite.end()) after.erase(std::remove(after.begin(), after.end(), op->second), after.end());
            after.push_back(o);
        }
        if (x.violation(id, "mounts[" + std::to_string(i) + "].options", join(m.options), join(after),
                        "bind mount of \"" + m.source + "\" lacks " + join(missing, ",")))
            m.options = after;
    }
}

void propagation(Ctx& x, spec::Spec& s) {
    const std::string id = "mounts.propagation";
    if (x.mode(id) == Mode::Off) return;
    static const std::map<std::string, std::string> to_private{
        {"shared", "private"}, {"rshared", "rprivate"}, {"slave", "private"}, {"rslave", "rprivate"}};
    for (size_t i = 0; i < s.mounts.size(); ++i) {
        spec::Mount& m = s.mounts[i];
        std::vector<std::string> after = m.options;
        for (auto& o : after)
            if (auto it = to_private.find(o); it != to_private.end()) o = it->second;
        if (after == m.options) continue;
        if (x.violation(id, "mounts[" + std::to_string(i) + "].options", join(m.options), join(after),
                        "shared or slave propagation on " + m.destination + " links the container's mounts with the host's"))
            m.options = after;
    }
    if (s.linux && (s.linux->rootfsPropagation == "shared" || s.linux->rootfsPropagation == "rshared")) {
        std::string after = s.linux->rootfsPropagation == "shared" ? "private" : "rprivate";
        if (x.violation(id, "linux.rootfsPropagation", s.linux->rootfsPropagation, after,
                        "shared propagation sends the container's mounts to the host"))
            s.linux->rootfsPropagation = after;
    }
}

}  // namespace

void mounts(Ctx& x, spec::Spec& s) {
    sensitive(x, s);
    options(x, s);
    propagation(x, s);
}

}  // namespace docklock::policy::detail
