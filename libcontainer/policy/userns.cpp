// The userns control. reject: require a user namespace (pairs with dockerd --userns-remap);
// audit: record its absence; enforce: remap — a container that asked for none gets one, mapping its
// ids to the first subordinate range of `user` (default "docklock") in /etc/subuid and /etc/subgid,
// and its rootfs is idmapped with those maps by the runtime (rootfs/idmap.cpp), so files owned by host
// root appear owned by container root. Where that cannot work, nothing is remapped and a finding
// names the obstacle (or, with `unavailable: reject`, the container is refused).
#include <algorithm>
#include <cstdio>

#include "controls.hpp"

namespace docklock::policy::detail {

namespace {

// Read by rootfs/plan_builder.cpp (kRootfsIdmapAnnotation): only this control may set it.
const char* const kRootfsIdmap = "org.docklock.userns.idmap-rootfs";

// A namespace the container does not make itself: absent (the host's) or given by path.
bool not_new(const spec::Linux& l, const std::string& type) {
    const auto* n = l.find_namespace(type);
    return !n || !n->path.empty();
}

// What, besides the rootfs, would break if the container got a new user namespace.
std::string spec_obstacle(const spec::Spec& s, uint32_t uids, uint32_t gids) {
    const spec::Linux& l = *s.linux;
    if (const auto* m = l.find_namespace("mount"); m && !m->path.empty())
        return "the mount namespace is joined by path: its mounts belong to another user namespace";
    if (not_new(l, "pid"))
        for (const auto& m : s.mounts)
            if (m.type == "proc")
                return "proc is mounted but the pid namespace is not the container's own: a new user namespace "
                       "cannot mount it";
    if ((!s.hostname.empty() || !s.domainname.empty()) && not_new(l, "uts"))
        return "hostname is set but the uts namespace is not the container's own";
    for (const auto& [k, v] : l.sysctl) {
        if (k.rfind("net.", 0) == 0 && not_new(l, "network"))
            return "sysctl " + k + " is set but the network namespace is not the container's own";
        if (k.rfind("net.", 0) != 0 && not_new(l, "ipc"))
            return "sysctl " + k + " is set but the ipc namespace is not the container's own";
    }
    if (s.process) {
        const auto& u = s.process->user;
        if (u.uid >= uids) return "process.user.uid " + std::to_string(u.uid) + " is outside the mapped range";
        if (u.gid >= gids) return "process.user.gid " + std::to_string(u.gid) + " is outside the mapped range";
        for (auto g : u.additionalGids)
            if (g >= gids) return "process.user.additionalGids " + std::to_string(g) + " is outside the mapped range";
    }
    return "";
}

std::string root_path(const spec::Spec& s, const HostFacts& h) {
    const std::string& p = s.root.path;
    if (p.empty() || p[0] == '/' || h.bundle.empty()) return p;
    return h.bundle + "/" + p;
}

// Under the remap, bind mounts would show host-owned files by their host ids: host root's as nobody,
// unwritable by the container's root. Binds from the engines' per-container data (`idmap`
// patterns) are idmapped with the container's maps, so they look as they would without the remap.
// Other host paths are not: through an idmapped mount the container's root writes as host root
// (a setuid-root file in a host user's directory, say), which the remap exists to prevent.
void idmap_binds(Ctx& x, spec::Spec& s, const Control& c) {
    std::vector<std::string> done;
    for (size_t i = 0; i < s.mounts.size(); ++i) {
        spec::Mount& m = s.mounts[i];
        if (!is_bind(m) || m.source.empty()) continue;
        if (has_option(m, "idmap") || has_option(m, "ridmap") || !m.uidMappings.empty() || !m.gidMappings.empty())
            continue;  // the client's own idmapping
        std::string src = m.source[0] == '/' || x.host.bundle.empty() ? m.source : x.host.bundle + "/" + m.source;
        std::string r = x.host.resolved(src);
        const std::string field = "mounts[" + std::to_string(i) + "]";
        bool listed = std::any_of(c.list("idmap").begin(), c.list("idmap").end(), [&](const std::string& p) {
            return matches_allow(r, p) || matches_allow(r, x.host.resolved(p));
        });
        if (!listed) {
            x.add("userns", field + ".source", m.source, "not idmapped",
                  "is a host path outside userns.idmap: its files keep their host owners, so host root's show as "
                  "nobody (65534) and the container's root cannot write them; listing it in userns.idmap would let "
                  "the container's root write there as host root",
                  "info");
            continue;
        }
        if (std::string why = x.host.bind_idmap ? x.host.bind_idmap(r) : ""; !why.empty()) {
            x.add("userns", field + ".source", m.source, "not idmapped",
                  "cannot be idmapped: " + why + "; host root's files show as nobody (65534) inside", "info");
            continue;
        }
        m.options.push_back("idmap");
        done.push_back(m.destination);
    }
    if (!done.empty())
        x.add("userns", "mounts", "binds seen with host ids", "idmapped: " + join(done, ", "),
              "are the engine's per-container data (userns.idmap): idmapped with the container's maps, their files "
              "look as they would without the remap");
}

}  // namespace

void userns(Ctx& x, spec::Spec& s) {
    const std::string id = "userns";
    spec::Linux& l = *s.linux;
    Mode mode = x.mode(id);
    if (mode == Mode::Off) return;
    if (auto a = s.annotations.find(kRootfsIdmap); a != s.annotations.end()) {
        x.add(id, "annotations." + std::string(kRootfsIdmap), a->second, "removed",
              "only docklock's userns remap asks for an idmapped rootfs");
        s.annotations.erase(a);
    }
    if (l.find_namespace("user")) return;
    if (mode != Mode::Enforce) {
        x.violation(id, "linux.namespaces", "no user namespace", "",
                    "has no user namespace: the container's root is the host's root");
        return;
    }
    const Control& c = x.control(id);
    auto param = [&](const char* k, const char* def) { return c.str(k).empty() ? std::string(def) : c.str(k); };
    const std::string user = param("user", "docklock"), subuid = param("subuid", "/etc/subuid"),
                      subgid = param("subgid", "/etc/subgid");
    const bool refuse = c.str("unavailable") == "reject";
    auto cannot = [&](const std::string& why) {
        if (refuse) {
            std::string file = x.policy.source == "builtin" ? "/etc/docklock/policy.yaml" : x.policy.source;
            x.add(id, "linux.namespaces", "no user namespace", "refused",
                  "cannot be remapped: " + why +
                      "; an admin can run such containers un-remapped by removing userns.unavailable: reject in " + file,
                  "refused");
        } else {
            x.add(id, "linux.namespaces", "no user namespace", "no user namespace",
                  "cannot be remapped: " + why + ": the container's root is the host's root", "info");
        }
    };
    auto uids = x.host.subids ? x.host.subids(subuid, user) : std::vector<std::pair<uint32_t, uint32_t>>{};
    auto gids = x.host.subids ? x.host.subids(subgid, user) : std::vector<std::pair<uint32_t, uint32_t>>{};
    if (uids.empty()) return cannot("no subordinate uids for user \"" + user + "\" in " + subuid);
    if (gids.empty()) return cannot("no subordinate gids for user \"" + user + "\" in " + subgid);
    if (std::string why = spec_obstacle(s, uids[0].second, gids[0].second); !why.empty()) return cannot(why);
    if (std::string why = x.host.rootfs_idmap ? x.host.rootfs_idmap(root_path(s, x.host)) : ""; !why.empty()) return cannot(why);
    l.namespaces.push_back({"user", "", -1});
    l.uidMappings = {{0, uids[0].first, uids[0].second}};
    l.gidMappings = {{0, gids[0].first, gids[0].second}};
    s.annotations[kRootfsIdmap] = "true";
    auto range = [](const std::pair<uint32_t, uint32_t>& r) {
        return std::to_string(r.first) + "-" + std::to_string(r.first + r.second - 1);
    };
    x.add(id, "linux.namespaces", "no user namespace",
          "user namespace: container ids 0-" + std::to_string(uids[0].second - 1) + " are host uids " + range(uids[0]) +
              " and gids " + range(gids[0]) + " (subordinate ids of " + user + "); rootfs idmapped",
          "has no user namespace: the container's root would be the host's root");
    // The kernel takes ping_group_range only as gids of the writer's user namespace: Docker's
    // "0 2147483647" (EINVAL once remapped) becomes the mapped range.
    if (auto it = l.sysctl.find("net.ipv4.ping_group_range"); it != l.sysctl.end()) {
        unsigned long lo = 0, hi = 0, last = gids[0].second - 1;
        if (std::sscanf(it->second.c_str(), "%lu %lu", &lo, &hi) == 2 && (lo > last || hi > last)) {
            std::string v = std::to_string(std::min(lo, last)) + " " + std::to_string(std::min(hi, last));
            x.add(id, "linux.sysctl.net.ipv4.ping_group_range", it->second, v,
                  "names gids outside the container's user namespace, which the kernel refuses");
            it->second = v;
        }
    }
    idmap_binds(x, s, c);
}

}  // namespace docklock::policy::detail
