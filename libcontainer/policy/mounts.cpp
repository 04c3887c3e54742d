// Mounts, judged on what the kernel will get: every mount by its type and place (mounts.types), bind
// sources and root.path by the objects the resolver opened (mounts.sensitive: device and inode of
// the opened source against those of the sensitive paths), options after the one normalizer
// (mounts.options: later wins), no shared or slave propagation.
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cstring>

#include "../objects/facts.hpp"
#include "../util/clean_path.hpp"
#include "controls.hpp"

namespace docklock::policy::detail {

spec::MountOptions normalized(const spec::Mount& m) {
    return spec::parse_mount_options(m.options);
}

bool is_bind(const spec::Mount& m) {
    return spec::kind_of(m, normalized(m)) == spec::MountKind::Bind;
}

bool readonly(const spec::Mount& m) {
    return normalized(m).all_have(MOUNT_ATTR_RDONLY);
}

const objects::Facts* source_facts(const Ctx& x, const spec::Mount& m) {
    if (m.origin < 0 || static_cast<size_t>(m.origin) >= x.obj.mounts.size()) return nullptr;
    return &x.obj.mounts[static_cast<size_t>(m.origin)];
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

std::string clean(const std::string& p) {
    return util::clean_path(p);
}

std::string field_of(size_t i, const char* what = "") {
    return "mounts[" + std::to_string(i) + "]" + what;
}

std::string errno_text(int e) {
    return std::strerror(e);
}

// mounts.types: what each mount is and where it may go.
void types(Ctx& x, spec::Spec& s) {
    const std::string id = "mounts.types";
    if (x.mode(id) == Mode::Off) return;
    std::vector<std::string> allow = x.allowed(id);
    std::vector<spec::Mount> kept;
    for (size_t i = 0; i < s.mounts.size(); ++i) {
        const spec::Mount& m = s.mounts[i];
        spec::MountOptions o = normalized(m);
        spec::MountKind kind = spec::kind_of(m, o);
        std::string dest = clean(m.destination.empty() || m.destination[0] != '/' ? "/" + m.destination : m.destination);
        std::string what;
        std::string hint;
        if (o.flags & MS_REMOUNT) {
            what = "the \"remount\" option changes a mount the policy already judged";
        } else if (kind == spec::MountKind::Bind) {
            const objects::Facts* f = source_facts(x, m);
            if (f && f->opened()) {
                std::string fs = objects::kernel_interface_fs(f->fs_magic);
                if (!fs.empty())
                    what = "bind of \"" + m.source + "\" (" + f->path + ") is a file of " + fs +
                           ", a kernel interface of the host";
                // An rbind carries every mount below its source: each is judged the same way.
                for (const auto& b : f->below) {
                    std::string bfs = b.opened() ? objects::kernel_interface_fs(b.fs_magic) : "";
                    if (what.empty() && !bfs.empty())
                        what = "rbind of \"" + m.source + "\" carries " + b.path + ", a mount of " + bfs +
                               ", a kernel interface of the host";
                }
            }
        } else {
            const std::string& type = m.type;
            if (type.empty()) {
                what = "a mount without a type";
            } else if (!contains(allow, type)) {
                what = "type \"" + type + "\" at " + dest + " is not an allowed mount type";
                hint = "\"" + type + "\"";
            } else if (type == "proc" && dest != "/proc") {
                what = "proc at " + dest + ": proc only at /proc, where its masks apply";
            } else if (type == "sysfs" && dest != "/sys") {
                what = "sysfs at " + dest + ": sysfs only at /sys, where its masks apply";
            } else if ((type == "cgroup" || type == "cgroup2") && dest != "/sys/fs/cgroup") {
                what = type + " at " + dest + ": cgroups only at /sys/fs/cgroup";
            }
        }
        if (what.empty()) {
            kept.push_back(m);
            continue;
        }
        if (!x.violation(id, field_of(i), m.type + " " + m.destination, "mount dropped", what, hint)) kept.push_back(m);
    }
    s.mounts = kept;
}

// A host path the policy names, as the resolver (or the lexical model) saw it; null if unknown.
const objects::Facts* policy_path(const Ctx& x, const std::string& p) {
    auto it = x.obj.paths.find(p);
    return it == x.obj.paths.end() || !it->second.opened() ? nullptr : &it->second;
}

// How `f` relates to the sensitive path `e`: "" or the words for the finding.
std::string relation(const Ctx& x, const objects::Facts& f, const std::string& e, bool allowed) {
    const objects::Facts* p = policy_path(x, e);
    if (!p) return "";
    if (f.is(*p)) return " is " + describe(e);
    if (allowed) return "";
    if (f.contains(*p)) return " contains " + e + " (" + describe(e) + ")";
    if (e != "/" && f.inside(*p)) return " is inside " + e + " (" + describe(e) + ")";
    return "";
}

void sensitive(Ctx& x, spec::Spec& s) {
    const std::string id = "mounts.sensitive";
    if (x.mode(id) == Mode::Off) return;
    const auto& reject = x.control(id).list("reject");
    const auto& readonly_dirs = x.control(id).list("readonly");
    std::vector<std::string> allow = x.allowed(id);
    std::vector<spec::Mount> kept;
    for (size_t i = 0; i < s.mounts.size(); ++i) {
        spec::Mount& m = s.mounts[i];
        if (!is_bind(m)) {
            kept.push_back(m);
            continue;
        }
        std::string field = field_of(i, ".source");
        const objects::Facts* f = source_facts(x, m);
        if (!f || !f->opened()) {
            // Nothing to judge: fail closed, whatever the mode.
            x.add(id, field, m.source, "refused",
                  "\"" + m.source + "\" cannot be opened" + (f ? ": " + errno_text(f->error) : std::string()) +
                      ", so it cannot be judged",
                  "refused");
            kept.push_back(m);
            continue;
        }
        const char* saw = x.obj.resolved ? " (opened: " : " (resolves to ";  // the kernel's word, or the model's
        std::string shown = "\"" + m.source + "\"" + (f->path != m.source ? saw + f->path + ")" : "");
        bool allowed = std::any_of(allow.begin(), allow.end(), [&](const std::string& a) {
            return matches_allow(f->path, a) || matches_allow(f->path, x.host.resolved(a));
        });
        std::string what;
        for (const auto& e : reject)
            if (what.empty()) what = relation(x, *f, e, allowed);
        // An rbind carries every mount below its source (open_tree AT_RECURSIVE): each is judged as a
        // source of its own; one that could not be opened cannot be judged and refuses the mount.
        for (const auto& b : f->below) {
            if (!what.empty()) break;
            if (!b.opened()) {
                what = " carries the mount " + b.path + ", which cannot be opened: " + errno_text(b.error);
                continue;
            }
            bool b_allowed = std::any_of(allow.begin(), allow.end(), [&](const std::string& a) {
                return matches_allow(b.path, a) || matches_allow(b.path, x.host.resolved(a));
            });
            for (const auto& e : reject)
                if (what.empty()) {
                    std::string rel = relation(x, b, e, b_allowed);
                    if (!rel.empty()) what = " carries the mount " + b.path + ", which" + rel;
                }
        }
        if (!what.empty()) {
            if (x.violation(id, field, m.source, "mount dropped", shown + what, "\"" + f->path + "\"")) continue;
            kept.push_back(m);
            continue;
        }
        if (!readonly(m)) {
            auto ro = std::find_if(readonly_dirs.begin(), readonly_dirs.end(), [&](const std::string& d) {
                const objects::Facts* p = policy_path(x, d);
                if (!p) return false;
                if (f->is(*p) || f->inside(*p)) return true;
                for (const auto& b : f->below)  // a mount below the source: the whole rbind read-only
                    if (b.is(*p) || b.inside(*p)) return true;
                return false;
            });
            if (ro != readonly_dirs.end()) {
                std::string ofield = field_of(i, ".options");
                std::string what2 = shown + " is under " + *ro + ": bound read-only";
                if (x.mode(id) == Mode::Audit) {
                    x.add(id, ofield, join(m.options), join(m.options), what2, "audit");
                } else {
                    std::string before = join(m.options);
                    spec::force_attr(m.options, MOUNT_ATTR_RDONLY);
                    x.add(id, ofield, before, join(m.options), what2);
                }
            }
        }
        kept.push_back(m);
    }
    s.mounts = kept;

    // root.path: never the host's root, nor a directory holding a sensitive path; under a
    // `readonly` directory it is made read-only.
    const objects::Facts& r = x.obj.root;
    if (!r.opened()) {
        x.add(id, "root.path", s.root.path, "refused",
              "\"" + s.root.path + "\" cannot be opened: " + errno_text(r.error) + ", so it cannot be judged", "refused");
        return;
    }
    std::string what;
    for (const auto& e : reject) {
        const objects::Facts* p = policy_path(x, e);
        if (!p || !what.empty()) continue;
        if (r.is(*p))
            what = " is " + describe(e);
        else if (r.contains(*p))
            what = " contains " + e + " (" + describe(e) + ")";
        // Inside a sensitive directory only an engine's own rootfs mount (Docker's overlay2/<id>/merged,
        // containerd's task rootfs): a mount root of its own. A plain directory there is the engine's
        // state (every container's layers, configs, volumes), handed over read-write. Only the opened
        // object tells a mount root; the lexical model cannot, and does not judge it.
        else if (x.obj.resolved && e != "/" && r.inside(*p) && !r.mount_root)
            what = " is inside " + e + " (" + describe(e) + ") and is not a root filesystem mounted there";
    }
    if (!what.empty()) {
        what = "\"" + s.root.path + "\" (opened: " + r.path + ")" + what;
        if (x.mode(id) == Mode::Enforce)  // a root filesystem has no safe rewrite: refused
            x.add(id, "root.path", s.root.path, "refused", what + ": a root filesystem cannot be replaced", "refused");
        else
            x.violation(id, "root.path", s.root.path, "refused", what);
        return;
    }
    if (!s.root.readonly)
        for (const auto& d : readonly_dirs) {
            const objects::Facts* p = policy_path(x, d);
            if (!p || !(r.is(*p) || r.inside(*p) || r.contains(*p))) continue;
            if (x.violation(id, "root.readonly", "false", "true",
                            "root.path \"" + s.root.path + "\" (opened: " + r.path + ") holds or is under " + d +
                                ": mounted read-only"))
                s.root.readonly = true;
            break;
        }
}

void options(Ctx& x, spec::Spec& s) {
    const std::string id = "mounts.options";
    if (x.mode(id) == Mode::Off) return;
    static const std::map<std::string, uint64_t> attrs{
        {"nosuid", MOUNT_ATTR_NOSUID}, {"nodev", MOUNT_ATTR_NODEV}, {"noexec", MOUNT_ATTR_NOEXEC}, {"ro", MOUNT_ATTR_RDONLY}};
    const auto& add = x.control(id).list("add");
    for (size_t i = 0; i < s.mounts.size(); ++i) {
        spec::Mount& m = s.mounts[i];
        if (!is_bind(m)) continue;
        spec::MountOptions o = normalized(m);
        // A device node bound in keeps `dev` only when the devices control allows that device.
        const objects::Facts* f = source_facts(x, m);
        bool device_ok = f && f->opened() && (S_ISCHR(f->mode) || S_ISBLK(f->mode)) &&
                         device_allowed(x, S_ISCHR(f->mode) ? 'c' : 'b', major(f->rdev), minor(f->rdev));
        std::vector<std::string> missing;
        std::vector<std::string> after = m.options;
        for (const auto& name : add) {
            auto a = attrs.find(name);
            if (a == attrs.end()) {  // another option: present by its own name
                if (!has_option(m, name)) missing.push_back(name), after.push_back(name);
                continue;
            }
            if (o.all_have(a->second)) continue;
            if (a->second == MOUNT_ATTR_NODEV && device_ok) continue;
            missing.push_back(name);
            spec::force_attr(after, a->second);
        }
        if (missing.empty()) continue;
        if (x.violation(id, field_of(i, ".options"), join(m.options), join(after),
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
    types(x, s);
    sensitive(x, s);
    sockets(x, s);
    options(x, s);
    propagation(x, s);
}

}  // namespace docklock::policy::detail
