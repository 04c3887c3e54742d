// Namespaces: no new namespace, or a path to the host's own, shares the host's.
#include "controls.hpp"

namespace docklock::policy::detail {

bool private_namespace(const HostFacts& host, const spec::Linux& l, const std::string& type) {
    const spec::Namespace* n = l.find_namespace(type);
    return n && (n->path.empty() || !host.host_namespace(type, n->path));
}

void namespaces(Ctx& x, spec::Linux& l) {
    static const std::vector<std::pair<std::string, std::string>> controls{{"namespaces.pid", "pid"},
                                                                           {"namespaces.ipc", "ipc"},
                                                                           {"namespaces.net", "network"},
                                                                           {"namespaces.uts", "uts"},
                                                                           {"namespaces.cgroup", "cgroup"}};
    for (const auto& [id, type] : controls) {
        if (x.mode(id) == Mode::Off || private_namespace(x.host, l, type)) continue;
        size_t i = 0;
        while (i < l.namespaces.size() && l.namespaces[i].type != type) ++i;
        if (i == l.namespaces.size()) {
            std::string what = type == "cgroup" ? "has no cgroup namespace: the container sees the host's cgroup tree"
                                                : "has no " + type + " namespace: the container would share the host's";
            if (x.violation(id, "linux.namespaces", "no " + type + " namespace", "a new " + type + " namespace", what))
                l.namespaces.push_back({type, ""});
        } else {
            std::string field = "linux.namespaces[" + std::to_string(i) + "].path";
            if (x.violation(id, field, l.namespaces[i].path, "a new " + type + " namespace",
                            "\"" + l.namespaces[i].path + "\" is the host's " + type + " namespace"))
                l.namespaces[i].path.clear();
        }
    }
}

}  // namespace docklock::policy::detail
