#include "mount_options.hpp"

#include <linux/mount.h>
#include <sys/mount.h>

#include <map>

namespace docklock::rootfs {
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

}  // namespace docklock::rootfs
