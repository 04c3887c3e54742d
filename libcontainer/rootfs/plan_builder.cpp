#include "plan_builder.hpp"

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include <memory>

#include "../util/error.hpp"
#include "../util/fd.hpp"
#include "../util/fs.hpp"
#include "../spec/mount_options.hpp"
#include "idmap.hpp"

namespace docklock::rootfs {

std::string resolve_rootfs(const spec::Spec& s, const std::string& bundle) {
    std::string p = s.root.path[0] == '/' ? s.root.path : fs::join(bundle, s.root.path);
    struct stat st;
    if (::stat(p.c_str(), &st) < 0) throw Error("root.path: " + p, errno);
    if (!S_ISDIR(st.st_mode)) throw Error("root.path: " + p + " is not a directory");
    return fs::canonical_dir(p);
}

// mounts[i] with uidMappings/gidMappings (or the idmap/ridmap option: the container's own maps), as
// runc: a bind, in a container with a user namespace; the runtime clones the source and idmaps it
// with a helper user namespace holding the mount's maps; the child moves it into place.
static int idmapped_bind(const spec::Spec& s, const spec::Mount& m, const process::MountPlan& mp, const spec::MountOptions& o,
                         const std::string& field, int src_fd) {
    const spec::Linux& l = *s.linux;
    if (!l.find_namespace("user"))
        throw Error(field + ".uidMappings: idmapped mounts need the container to have a user namespace");
    const auto& uid = m.uidMappings.empty() && o.idmap ? l.uidMappings : m.uidMappings;
    const auto& gid = m.gidMappings.empty() && o.idmap ? l.gidMappings : m.gidMappings;
    if (uid.empty()) throw Error(field + ".uidMappings: required with gidMappings (or the idmap option)");
    if (gid.empty()) throw Error(field + ".gidMappings: required with uidMappings (or the idmap option)");
    for (const auto& [name, ms] : {std::pair{"uidMappings", &uid}, std::pair{"gidMappings", &gid}})
        for (const auto& x : *ms)
            if (x.size == 0) throw Error(field + "." + name + ": a mapping of size 0");
    UniqueFd ns = make_idmap_userns(uid, gid, field);
    bool rec = (mp.flags & MS_REC) != 0;
    return idmapped_tree(mp.source, ns.get(), rec, rec && o.ridmap, field, src_fd).release();
}

// A detached clone of the judged source object (recursive for rbind): the child moves it into
// place, so what is mounted is what the policy saw, whatever the path names by then.
static int cloned_bind(const process::MountPlan& mp, int src_fd, const std::string& field) {
    int fd = static_cast<int>(syscall(SYS_open_tree, src_fd, "",
                                      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
                                          ((mp.flags & MS_REC) ? AT_RECURSIVE : 0)));
    if (fd < 0) throw Error(field + ".source: clone " + mp.source, errno);
    return fd;
}

static std::string clean_dest(const std::string& d) {
    return d[0] == '/' ? d : "/" + d;
}

process::RootfsPlan build_plan(const spec::Spec& s, const RootfsInputs& in) {
    process::RootfsPlan p;
    const spec::Linux& l = *s.linux;
    auto owned = std::make_shared<std::vector<UniqueFd>>();
    p.tree_owner = owned;
    p.rootfs = resolve_rootfs(s, in.bundle);
    if (in.objects && in.objects->root) {  // the child checks it pivots into the directory that was judged
        struct stat st;
        if (::fstat(in.objects->root.get(), &st) < 0) throw Error("root.path: " + p.rootfs, errno);
        p.root_dev = st.st_dev;
        p.root_ino = st.st_ino;
    }
    p.readonly = s.root.readonly;
    p.no_pivot = in.no_pivot;
    p.cgroupns = in.cgroupns;
    p.bind_devices = in.new_userns;
    if (!l.rootfsPropagation.empty()) p.root_propagation = spec::parse_propagation(l.rootfsPropagation);
    bool dev_bound = false;
    for (size_t i = 0; i < s.mounts.size(); ++i) {
        const spec::Mount& m = s.mounts[i];
        std::string field = "mounts[" + std::to_string(i) + "]";
        // The policy's normalized options: what was judged is what is mounted (mount_options.hpp).
        if (!m.normalized) throw Error(field + ".options: not normalized by the policy");
        const spec::MountOptions& o = *m.normalized;
        process::MountPlan mp;
        mp.dest = clean_dest(m.destination);
        mp.fstype = m.type;
        mp.flags = o.flags;
        mp.data = o.data;
        mp.propagation = o.propagation;
        mp.attr_set = o.attr_set;
        mp.attr_clr = o.attr_clr;
        mp.tmpcopyup = o.tmpcopyup;
        spec::MountKind kind = spec::kind_of(m, o);
        if (kind == spec::MountKind::Cgroup) {
            mp.kind = process::MountPlan::Kind::Cgroup;
        } else if (kind == spec::MountKind::Bind) {
            mp.kind = process::MountPlan::Kind::Bind;
            mp.flags |= MS_BIND;
            mp.source = m.source.empty() || m.source[0] == '/' ? m.source : fs::join(in.bundle, m.source);
            // The object the resolver opened for this entry, never the path again.
            int src = in.objects && m.origin >= 0 && static_cast<size_t>(m.origin) < in.objects->mounts.size()
                          ? in.objects->mounts[static_cast<size_t>(m.origin)].get()
                          : -1;
            if (src < 0) {
                int e = in.objects && m.origin >= 0 && static_cast<size_t>(m.origin) < in.objects->facts.mounts.size()
                            ? in.objects->facts.mounts[static_cast<size_t>(m.origin)].error
                            : 0;
                throw Error(field + ".source: " + mp.source + (e ? "" : ": not opened by the resolver"), e);
            }
            struct stat st;
            if (::fstat(src, &st) < 0) throw Error(field + ".source: " + mp.source, errno);
            mp.dest_is_file = !S_ISDIR(st.st_mode);
            mp.remount_bind = (mp.flags & ~(MS_BIND | MS_REC | MS_REMOUNT)) != 0;
            if (o.idmap || !m.uidMappings.empty() || !m.gidMappings.empty())
                mp.tree_fd = idmapped_bind(s, m, mp, o, field, src);
            else
                mp.tree_fd = cloned_bind(mp, src, field);
            owned->push_back(UniqueFd(mp.tree_fd));
            p.tree_fds.push_back(mp.tree_fd);
            if (mp.dest == "/dev") dev_bound = true;
        } else {
            if (o.idmap || !m.uidMappings.empty() || !m.gidMappings.empty())
                throw Error(field + ".uidMappings: idmapped mounts are only for bind mounts");
            mp.source = m.source.empty() ? m.type : m.source;
            if (mp.fstype.empty()) throw Error(field + ".type: required for a non-bind mount");
        }
        p.mounts.push_back(std::move(mp));
    }
    if (in.cgroup)
        for (const auto& d : in.cgroup->dirs()) p.cgroups.push_back({d.h.name, d.path, d.h.options, d.h.v2});
    p.make_dev_nodes = !dev_bound;
    // Default devices first; linux.devices may override any of them.
    struct Def {
        const char* path;
        unsigned maj, min;
    };
    static const Def defaults[] = {{"/dev/null", 1, 3},   {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
                                   {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0}};
    auto overridden = [&](const std::string& path) {
        for (const auto& d : l.devices)
            if (d.path == path) return true;
        return false;
    };
    if (!dev_bound)
        for (const auto& d : defaults)
            if (!overridden(d.path)) p.devices.push_back({d.path, S_IFCHR | 0666, makedev(d.maj, d.min), 0, 0});
    for (const auto& d : l.devices) {
        mode_t type = d.type == "b" ? S_IFBLK : d.type == "p" ? S_IFIFO : S_IFCHR;
        p.devices.push_back({d.path, type | (d.fileMode.value_or(0666) & 07777),
                             makedev(static_cast<unsigned>(d.major), static_cast<unsigned>(d.minor)), d.uid.value_or(0),
                             d.gid.value_or(0)});
    }
    if (auto a = s.annotations.find(kRootfsIdmapAnnotation); a != s.annotations.end() && a->second == "true") {
        if (!l.find_namespace("user") || l.uidMappings.empty() || l.gidMappings.empty())
            throw Error("annotations." + std::string(kRootfsIdmapAnnotation) +
                        ": an idmapped rootfs needs a user namespace with linux.uidMappings and linux.gidMappings");
        p.root_tree_fd = idmapped_rootfs(p.rootfs, l.uidMappings, l.gidMappings).release();
        owned->push_back(UniqueFd(p.root_tree_fd));
        p.tree_fds.push_back(p.root_tree_fd);
    }
    p.masked = l.maskedPaths;
    p.readonly_paths = l.readonlyPaths;
    return p;
}

}  // namespace docklock::rootfs
