// HostFacts: what the engine may know about the host, read once by the caller (probe) or given as
// data (from_json: `policy check --host FILE` and the tests). The engine itself never looks.
#include <linux/landlock.h>
#include <sys/apparmor.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <memory>
#include <set>

#include "../../caps/caps.hpp"
#include "../rootfs/idmap.hpp"
#include "../util/error.hpp"
#include "../util/fs.hpp"
#include "../util/text.hpp"
#include "policy.hpp"

namespace docklock::policy {
namespace {

// "/a/./b/../c" -> {"a", "c"}
std::vector<std::string> components(const std::string& p) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < p.size()) {
        size_t j = p.find('/', i);
        if (j == std::string::npos) j = p.size();
        std::string c = p.substr(i, j - i);
        if (c == "..") {
            if (!out.empty()) out.pop_back();
        } else if (!c.empty() && c != ".") {
            out.push_back(c);
        }
        i = j + 1;
    }
    return out;
}

std::string join(const std::vector<std::string>& parts, size_t from, size_t to) {
    std::string s;
    for (size_t i = from; i < to; ++i) s += "/" + parts[i];
    return s;
}

// Resolution through a table of symlinks, lexically (no file is read).
std::string resolve_with(const std::map<std::string, std::string>& links, std::string p) {
    for (int hops = 0; hops < 40; ++hops) {
        auto parts = components(p);
        bool changed = false;
        for (size_t i = 1; i <= parts.size() && !changed; ++i) {
            auto it = links.find(join(parts, 0, i));
            if (it == links.end()) continue;
            p = it->second + join(parts, i, parts.size());
            changed = true;
        }
        if (!changed) return parts.empty() ? "/" : join(parts, 0, parts.size());
    }
    return p;
}

// realpath() of the longest existing prefix, the rest appended as written.
std::string resolve_on_host(const std::string& path) {
    auto parts = components(path);
    for (size_t n = parts.size() + 1; n-- > 0;) {
        std::string prefix = n == 0 ? "/" : join(parts, 0, n);
        char buf[PATH_MAX];
        if (::realpath(prefix.c_str(), buf)) {
            std::string r = buf;
            if (r == "/") r.clear();
            r += join(parts, n, parts.size());
            return r.empty() ? "/" : r;
        }
    }
    return path;
}

std::string proc_ns_name(const std::string& type) {
    if (type == "network") return "net";
    if (type == "mount") return "mnt";
    return type;  // pid, ipc, uts, user, cgroup, time
}

}  // namespace

// name:start:count lines of /etc/subuid or /etc/subgid (shadow-utils' format) for `user`.
static std::vector<std::pair<uint32_t, uint32_t>> read_subids(const std::string& file, const std::string& user) {
    std::vector<std::pair<uint32_t, uint32_t>> out;
    std::string content;
    try {
        if (!fs::read_file_if_exists(file, content)) return out;
    } catch (const Error&) {
        return out;  // unreadable: no ranges, as a missing file
    }
    for (std::string_view line : text::lines(content)) {
        auto f = text::split(line, ':');
        if (f.size() != 3 || f[0] != user) continue;
        try {
            unsigned long start = std::stoul(std::string(f[1])), count = std::stoul(std::string(f[2]));
            if (count > 0 && start + count <= 0xFFFFFFFFUL) out.emplace_back(start, count);
        } catch (const std::logic_error&) {
        }
    }
    return out;
}

HostFacts HostFacts::probe() {
    HostFacts h;
    h.bounding = caps::bounding_set_of_self();
    h.apparmor = aa_is_enabled() == 1;
    long abi = syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
    h.landlock_abi = abi > 0 ? static_cast<int>(abi) : 0;
    for (auto [name, res] : {std::pair{"RLIMIT_RTPRIO", RLIMIT_RTPRIO}, std::pair{"RLIMIT_NICE", RLIMIT_NICE},
                             std::pair{"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}}) {
        rlimit r;
        if (::getrlimit(res, &r) == 0) h.rlimit_hard[name] = r.rlim_max == RLIM_INFINITY ? UINT64_MAX : r.rlim_max;
    }
    {
        std::string v;
        try {
            if (fs::read_file_if_exists("/proc/self/oom_score_adj", v)) h.oom_score_adj = std::stoi(v);
        } catch (const std::exception&) {
        }
    }
    // Memoised: the mounts control resolves every sensitive path once per bind mount.
    h.resolve = [memo = std::make_shared<std::map<std::string, std::string>>()](const std::string& p) {
        auto it = memo->find(p);
        if (it == memo->end()) it = memo->emplace(p, resolve_on_host(p)).first;
        return it->second;
    };
    h.readlink = [](const std::string& p) -> std::string {
        char buf[PATH_MAX];
        ssize_t n = ::readlink(p.c_str(), buf, sizeof buf - 1);
        return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
    };
    h.is_host_namespace = [](const std::string& type, const std::string& path) {
        struct stat a, b;
        if (::stat(path.c_str(), &a) != 0) return false;
        if (::stat(("/proc/self/ns/" + proc_ns_name(type)).c_str(), &b) != 0) return false;
        return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
    };
    h.subids = read_subids;
    h.rootfs_idmap = rootfs::rootfs_idmap_obstacle;
    h.bind_idmap = rootfs::bind_idmap_obstacle;
    return h;
}

HostFacts HostFacts::from_json(const nlohmann::json& j, const std::string& origin) {
    if (!j.is_object()) throw Error(origin + ": expected an object");
    static const std::set<std::string> known{"bounding",        "apparmor", "landlock_abi", "oom_score_adj", "rlimits", "symlinks", "exe",
                                             "host_namespaces", "subids",   "rootfs_idmap", "bind_idmap",    "sockets"};
    for (auto it = j.begin(); it != j.end(); ++it)
        if (!known.count(it.key())) throw Error(origin + ": " + it.key() + ": unknown key");
    HostFacts h;
    try {
        if (j.contains("bounding")) {
            const auto& b = j["bounding"];
            if (b.is_string() && b.get<std::string>() == "all") {
                h.bounding = ~0ULL;
            } else if (b.is_string()) {
                h.bounding = std::stoull(b.get<std::string>(), nullptr, 16);
            } else {
                h.bounding = caps::mask_of(b.get<std::vector<std::string>>(), origin + ": bounding");
            }
        }
        h.apparmor = j.value("apparmor", false);
        h.landlock_abi = j.value("landlock_abi", 0);
        h.oom_score_adj = j.value("oom_score_adj", 0);
        h.rlimit_hard = j.value("rlimits", std::map<std::string, uint64_t>{});
        auto links = j.value("symlinks", std::map<std::string, std::string>{});
        h.resolve = [links](const std::string& p) { return resolve_with(links, p); };
        auto exe = j.value("exe", std::map<std::string, std::string>{});
        h.readlink = [exe](const std::string& p) {
            auto it = exe.find(p);
            return it == exe.end() ? std::string() : it->second;
        };
        auto ns = j.value("host_namespaces", std::map<std::string, std::vector<std::string>>{});
        h.is_host_namespace = [ns](const std::string& type, const std::string& path) {
            auto it = ns.find(type);
            if (it == ns.end()) return false;
            for (const auto& p : it->second)
                if (p == path) return true;
            return false;
        };
        using Ranges = std::vector<std::pair<uint32_t, uint32_t>>;
        auto sub = j.value("subids", std::map<std::string, std::map<std::string, Ranges>>{});
        h.subids = [sub](const std::string& file, const std::string& user) {
            auto f = sub.find(file);
            if (f == sub.end()) return Ranges{};
            auto u = f->second.find(user);
            return u == f->second.end() ? Ranges{} : u->second;
        };
        auto why_not = [](std::map<std::string, std::string> m) {
            return [m = std::move(m)](const std::string& p) {
                auto it = m.find(p);
                return it == m.end() ? std::string() : it->second;
            };
        };
        h.rootfs_idmap = why_not(j.value("rootfs_idmap", std::map<std::string, std::string>{}));
        h.bind_idmap = why_not(j.value("bind_idmap", std::map<std::string, std::string>{}));
        std::map<std::string, objects::Listener> socks;
        const nlohmann::json sj = j.value("sockets", nlohmann::json::object());
        if (!sj.is_object()) throw Error(origin + ": sockets: expected an object");
        for (const auto& [path, d] : sj.items()) {
            if (!d.is_object()) throw Error(origin + ": sockets: " + path + ": expected an object");
            objects::Listener l;
            if (d.contains("listener_uid")) {
                l.found = true;
                l.uid = d["listener_uid"].get<uint32_t>();
                l.host_root = l.uid == 0;
                l.comm = d.value("listener", std::string("(unnamed)"));
                l.pid = d.value("pid", 0);
            } else {
                l.unknown = d.value("unknown", std::string("no process holds the socket bound to it"));
            }
            socks[resolve_with(links, path)] = l;
        }
        h.socket = [socks](const std::string& p) -> std::optional<objects::Listener> {
            auto it = socks.find(p);
            if (it == socks.end()) return std::nullopt;
            return it->second;
        };
    } catch (const nlohmann::json::exception& e) {
        throw Error(origin + ": " + e.what());
    } catch (const std::logic_error& e) {
        throw Error(origin + ": bounding: expected \"all\", a hex mask or a list of names");
    }
    return h;
}

}  // namespace docklock::policy
