#include "lexical.hpp"

#include <sys/stat.h>

#include <functional>

#include "../util/clean_path.hpp"
#include "resolve.hpp"

namespace docklock::objects {
namespace {

std::string clean(const std::string& p) {
    return util::clean_path(p);
}

Id id_of(const std::string& path) {
    return {1, std::hash<std::string>{}(path)};
}

}  // namespace

Facts lexical_path(const std::string& resolved_absolute) {
    Facts f;
    f.path = clean(resolved_absolute);
    f.id = id_of(f.path);
    f.mode = S_IFDIR | 0755;  // unknown to a lexical model: an ordinary root-owned directory
    std::string p = f.path;
    while (p != "/") {
        size_t slash = p.rfind('/');
        p.resize(slash == 0 ? 1 : slash);
        f.above.push_back(id_of(p));
    }
    return f;
}

SpecFacts lexical(const spec::Spec& s, const LexicalHost& h, const std::vector<std::string>& policy_paths) {
    SpecFacts out;
    auto resolve = [&](const std::string& p) {
        std::string abs = !p.empty() && p[0] == '/' ? p : (h.bundle.empty() ? "/" : h.bundle) + "/" + p;
        abs = clean(abs);
        return h.resolve ? clean(h.resolve(abs)) : abs;
    };
    out.bundle = lexical_path(h.bundle.empty() ? "/" : h.bundle);
    if (h.bundle.empty()) out.bundle.error = 2;  // unknown (ENOENT): nothing is inside it
    out.root = lexical_path(resolve(s.root.path.empty() ? "." : s.root.path));
    out.mounts.resize(s.mounts.size());
    for (size_t i = 0; i < s.mounts.size(); ++i) {
        if (!is_bind_mount(s.mounts[i])) continue;
        if (s.mounts[i].source.empty()) {
            out.mounts[i].error = 2;  // ENOENT
            continue;
        }
        out.mounts[i] = lexical_path(resolve(s.mounts[i].source));
        if (auto l = h.socket ? h.socket(out.mounts[i].path) : std::nullopt) {
            out.mounts[i].mode = S_IFSOCK | 0660;
            out.mounts[i].listener = *l;
        }
    }
    if (s.linux) {
        const auto& ns = s.linux->namespaces;
        out.namespaces.resize(ns.size());
        for (size_t i = 0; i < ns.size(); ++i) {
            if (ns[i].path.empty()) continue;
            out.namespaces[i].type = ns[i].type;
            out.namespaces[i].id = id_of(ns[i].path);
            out.namespaces[i].host = h.is_host_namespace && h.is_host_namespace(ns[i].type, ns[i].path);
        }
    }
    for (auto [list, name] : {std::pair{&s.hooks.prestart, "prestart"}, std::pair{&s.hooks.createRuntime, "createRuntime"},
                              std::pair{&s.hooks.createContainer, "createContainer"},
                              std::pair{&s.hooks.startContainer, "startContainer"},
                              std::pair{&s.hooks.poststart, "poststart"}, std::pair{&s.hooks.poststop, "poststop"}}) {
        auto& v = out.hooks[name];
        for (const auto& hk : *list) {
            std::string target = h.readlink ? h.readlink(hk.path) : "";
            Facts f = lexical_path(target.empty() ? resolve(hk.path) : target);
            f.mode = S_IFREG | 0755;
            v.push_back(f);
        }
    }
    for (const auto& p : policy_paths)
        if (!p.empty() && p[0] == '/' && p.find('*') == std::string::npos) out.paths[p] = lexical_path(resolve(p));
    return out;
}

}  // namespace docklock::objects
