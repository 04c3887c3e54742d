#include "mount_options.hpp"

#include <linux/mount.h>
#include <sys/mount.h>

#include <algorithm>
#include <map>

#include "../util/error.hpp"
#include "spec.hpp"

namespace docklock::spec {
namespace {

struct Flag {
    bool clear;
    unsigned long flag;
};

const std::map<std::string, Flag>& flag_table() {
    static const std::map<std::string, Flag> t{
        {"async", {true, MS_SYNCHRONOUS}},
        {"atime", {true, MS_NOATIME}},
        {"bind", {false, MS_BIND}},
        {"defaults", {false, 0}},
        {"dev", {true, MS_NODEV}},
        {"diratime", {true, MS_NODIRATIME}},
        {"dirsync", {false, MS_DIRSYNC}},
        {"exec", {true, MS_NOEXEC}},
        {"iversion", {false, MS_I_VERSION}},
        {"lazytime", {false, MS_LAZYTIME}},
        {"loud", {true, MS_SILENT}},
        {"mand", {false, MS_MANDLOCK}},
        {"noatime", {false, MS_NOATIME}},
        {"nodev", {false, MS_NODEV}},
        {"nodiratime", {false, MS_NODIRATIME}},
        {"noexec", {false, MS_NOEXEC}},
        {"noiversion", {true, MS_I_VERSION}},
        {"nolazytime", {true, MS_LAZYTIME}},
        {"nomand", {true, MS_MANDLOCK}},
        {"norelatime", {true, MS_RELATIME}},
        {"nostrictatime", {true, MS_STRICTATIME}},
        {"nosuid", {false, MS_NOSUID}},
        {"nosymfollow", {false, MS_NOSYMFOLLOW}},
        {"rbind", {false, MS_BIND | MS_REC}},
        {"relatime", {false, MS_RELATIME}},
        {"remount", {false, MS_REMOUNT}},
        {"ro", {false, MS_RDONLY}},
        {"rw", {true, MS_RDONLY}},
        {"silent", {false, MS_SILENT}},
        {"strictatime", {false, MS_STRICTATIME}},
        {"suid", {true, MS_NOSUID}},
        {"sync", {false, MS_SYNCHRONOUS}},
        {"symfollow", {true, MS_NOSYMFOLLOW}},
    };
    return t;
}

const std::map<std::string, Flag>& attr_table() {  // recursive variants, applied with mount_setattr
    static const std::map<std::string, Flag> t{
        {"rro", {false, MOUNT_ATTR_RDONLY}},
        {"rrw", {true, MOUNT_ATTR_RDONLY}},
        {"rnosuid", {false, MOUNT_ATTR_NOSUID}},
        {"rsuid", {true, MOUNT_ATTR_NOSUID}},
        {"rnodev", {false, MOUNT_ATTR_NODEV}},
        {"rdev", {true, MOUNT_ATTR_NODEV}},
        {"rnoexec", {false, MOUNT_ATTR_NOEXEC}},
        {"rexec", {true, MOUNT_ATTR_NOEXEC}},
        {"rnodiratime", {false, MOUNT_ATTR_NODIRATIME}},
        {"rdiratime", {true, MOUNT_ATTR_NODIRATIME}},
        {"rrelatime", {false, MOUNT_ATTR_RELATIME}},
        {"rnorelatime", {true, MOUNT_ATTR_RELATIME}},
        {"rnoatime", {false, MOUNT_ATTR_NOATIME}},
        {"ratime", {true, MOUNT_ATTR_NOATIME}},
        {"rstrictatime", {false, MOUNT_ATTR_STRICTATIME}},
        {"rnostrictatime", {true, MOUNT_ATTR_STRICTATIME}},
        {"rnosymfollow", {false, MOUNT_ATTR_NOSYMFOLLOW}},
        {"rsymfollow", {true, MOUNT_ATTR_NOSYMFOLLOW}},
    };
    return t;
}

}  // namespace

unsigned long parse_propagation(const std::string& n) {
    static const std::map<std::string, unsigned long> t{
        {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
        {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
        {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
        {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
    };
    auto it = t.find(n);
    return it == t.end() ? 0 : it->second;
}

MountOptions parse_mount_options(const std::vector<std::string>& opts) {
    MountOptions m;
    for (const auto& o : opts) {
        if (auto it = flag_table().find(o); it != flag_table().end()) {
            if (it->second.clear)
                m.flags &= ~it->second.flag;
            else
                m.flags |= it->second.flag;
        } else if (auto a = attr_table().find(o); a != attr_table().end()) {
            if (a->second.clear) {
                m.attr_clr |= a->second.flag;
                m.attr_set &= ~a->second.flag;
            } else {
                m.attr_set |= a->second.flag;
                m.attr_clr &= ~a->second.flag;
            }
        } else if (unsigned long p = parse_propagation(o)) {
            m.propagation = p;
        } else if (o == "tmpcopyup") {
            m.tmpcopyup = true;
        } else if (o == "idmap" || o == "ridmap") {
            m.idmap = true;
            m.ridmap = m.ridmap || o == "ridmap";
        } else {
            if (!m.data.empty()) m.data += ",";
            m.data += o;
        }
    }
    m.bind = (m.flags & MS_BIND) != 0;
    m.rec = (m.flags & MS_REC) != 0;
    return m;
}

bool MountOptions::top_has(uint64_t attr) const {
    unsigned long f = attr == MOUNT_ATTR_RDONLY   ? MS_RDONLY
                      : attr == MOUNT_ATTR_NOSUID ? MS_NOSUID
                      : attr == MOUNT_ATTR_NODEV  ? MS_NODEV
                      : attr == MOUNT_ATTR_NOEXEC ? MS_NOEXEC
                                                  : 0;
    bool on = (flags & f) != 0;
    if (attr_set & attr) on = true;  // mount_setattr runs after the mount flags
    if (attr_clr & attr) on = false;
    return on;
}

bool MountOptions::all_have(uint64_t attr) const {
    if (!top_has(attr)) return false;
    return !(bind && rec) || (attr_set & attr) != 0;  // an rbind's submounts keep their own flags
}

void force_attr(std::vector<std::string>& opts, uint64_t attr) {
    struct Names {
        uint64_t attr;
        const char *set, *clear, *rset, *rclear;
    };
    static const Names names[] = {{MOUNT_ATTR_RDONLY, "ro", "rw", "rro", "rrw"},
                                  {MOUNT_ATTR_NOSUID, "nosuid", "suid", "rnosuid", "rsuid"},
                                  {MOUNT_ATTR_NODEV, "nodev", "dev", "rnodev", "rdev"},
                                  {MOUNT_ATTR_NOEXEC, "noexec", "exec", "rnoexec", "rexec"}};
    const Names* n = nullptr;
    for (const auto& x : names)
        if (x.attr == attr) n = &x;
    if (!n) throw Error("force_attr: unknown attribute");
    opts.erase(std::remove_if(opts.begin(), opts.end(),
                              [&](const std::string& o) { return o == n->clear || o == n->rclear; }),
               opts.end());
    if (std::find(opts.begin(), opts.end(), n->set) == opts.end()) opts.push_back(n->set);
    MountOptions o = parse_mount_options(opts);
    if (o.bind && o.rec && std::find(opts.begin(), opts.end(), n->rset) == opts.end()) opts.push_back(n->rset);
    if (!parse_mount_options(opts).all_have(attr)) throw Error(std::string("force_attr: ") + n->set + " does not hold");
}

MountKind kind_of(const Mount& m, const MountOptions& o) {
    if (o.bind || m.type == "bind") return MountKind::Bind;
    if (m.type == "cgroup" || m.type == "cgroup2") return MountKind::Cgroup;
    return MountKind::Regular;
}

}  // namespace docklock::spec
