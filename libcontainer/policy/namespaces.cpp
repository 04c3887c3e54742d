// Namespaces: no new namespace, or a path to the host's own, shares the host's. A namespace given
// by path is judged on the fd the resolver opened (objects::NsFacts): its type and whether it is the
// host's come from the kernel, and that fd is what the child joins. A path that cannot be opened,
// or that is not a namespace of the declared type, is refused whatever the mode. Joining a mount
// namespace by path, or a user namespace that is not one docklock made for another container, is
// refused by namespaces.mount and namespaces.user.
#include <cstring>

#include "controls.hpp"

namespace docklock::policy::detail {
namespace {

const objects::NsFacts* ns_facts(const Ctx& x, const spec::Namespace& n) {
    if (n.origin < 0 || static_cast<size_t>(n.origin) >= x.obj.namespaces.size()) return nullptr;
    return &x.obj.namespaces[static_cast<size_t>(n.origin)];
}

std::string field_of(size_t i) {
    return "linux.namespaces[" + std::to_string(i) + "].path";
}

}  // namespace

bool private_namespace(const Ctx& x, const spec::Linux& l, const std::string& type) {
    const spec::Namespace* n = l.find_namespace(type);
    if (!n) return false;
    if (n->path.empty()) return true;
    const objects::NsFacts* f = ns_facts(x, *n);
    return f && f->opened() && !f->host;
}

void namespaces(Ctx& x, spec::Linux& l) {
    // Every path first: what it is, from the fd.
    std::vector<spec::Namespace> kept;
    for (size_t i = 0; i < l.namespaces.size(); ++i) {
        const spec::Namespace& n = l.namespaces[i];
        if (n.path.empty()) {
            kept.push_back(n);
            continue;
        }
        const objects::NsFacts* f = ns_facts(x, n);
        std::string field = field_of(i);
        if (!f || !f->opened()) {
            x.add("namespaces", field, n.path, "refused",
                  "\"" + n.path + "\" cannot be opened" + (f ? std::string(": ") + std::strerror(f->error) : std::string()),
                  "refused");
            kept.push_back(n);
            continue;
        }
        if (f->type != n.type) {
            x.add("namespaces", field, n.path, "refused",
                  "\"" + n.path + "\" is a " + (f->type.empty() ? "namespace of another kind" : f->type + " namespace") +
                      ", not a " + n.type + " namespace",
                  "refused");
            kept.push_back(n);
            continue;
        }
        if (n.type == "mount" && x.mode("namespaces.mount") != Mode::Off) {
            if (x.violation("namespaces.mount", field, n.path, "a new mount namespace",
                            "joining an existing mount namespace by path (\"" + n.path +
                                "\") would skip the rootfs and every mount the policy judged")) {
                kept.push_back({"mount", "", n.origin});
                continue;
            }
        }
        if (n.type == "user" && x.mode("namespaces.user") != Mode::Off && !f->container_userns) {
            std::string what = f->host ? "\"" + n.path + "\" is the host's user namespace"
                                       : "\"" + n.path + "\" is not the user namespace of a container docklock runs";
            if (x.violation("namespaces.user", field, n.path, "a new user namespace", what)) {
                kept.push_back({"user", "", n.origin});
                continue;
            }
        }
        kept.push_back(n);
    }
    l.namespaces = kept;

    static const std::vector<std::pair<std::string, std::string>> controls{{"namespaces.pid", "pid"},
                                                                           {"namespaces.ipc", "ipc"},
                                                                           {"namespaces.net", "network"},
                                                                           {"namespaces.uts", "uts"},
                                                                           {"namespaces.cgroup", "cgroup"}};
    for (const auto& [id, type] : controls) {
        if (x.mode(id) == Mode::Off || private_namespace(x, l, type)) continue;
        size_t i = 0;
        while (i < l.namespaces.size() && l.namespaces[i].type != type) ++i;
        if (i == l.namespaces.size()) {
            std::string what = type == "cgroup" ? "has no cgroup namespace: the container sees the host's cgroup tree"
                                                : "has no " + type + " namespace: the container would share the host's";
            if (x.violation(id, "linux.namespaces", "no " + type + " namespace", "a new " + type + " namespace", what))
                l.namespaces.push_back({type, "", -1});
        } else {
            const objects::NsFacts* f = ns_facts(x, l.namespaces[i]);
            if (!f || !f->opened()) continue;  // refused above
            std::string field = field_of(i);
            if (x.violation(id, field, l.namespaces[i].path, "a new " + type + " namespace",
                            "\"" + l.namespaces[i].path + "\" is the host's " + type + " namespace"))
                l.namespaces[i].path.clear();
        }
    }
}

// A hostname or domainname is set in the uts namespace the container runs in: with the host's
// joined by path (namespaces.uts may allow sharing it), that is renaming the host. Sharing is the
// control's question; writing the host's names is never allowed.
void uts_names(Ctx& x, const spec::Spec& s) {
    if (!s.linux || (s.hostname.empty() && s.domainname.empty())) return;
    const spec::Namespace* n = s.linux->find_namespace("uts");
    if (!n || n->path.empty() || private_namespace(x, *s.linux, "uts")) return;
    const objects::NsFacts* f = ns_facts(x, *n);
    if (!f || !f->opened()) return;  // refused by namespaces()
    for (auto [field, value] : {std::pair{"hostname", &s.hostname}, std::pair{"domainname", &s.domainname}})
        if (!value->empty())
            x.add("namespaces.uts", field, *value, "refused",
                  "would rename the host: the uts namespace \"" + n->path + "\" is the host's", "refused");
}

}  // namespace docklock::policy::detail
