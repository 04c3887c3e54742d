#include "selinux.hpp"

#include <unistd.h>

#include "../util/error.hpp"

namespace docklock::selinux {

bool enabled() { return ::access("/sys/fs/selinux/enforce", F_OK) == 0; }

void validate_label(const std::string& label, const std::string& field) {
    auto bad = [&](const std::string& why) { throw Error(field + ": SELinux label \"" + label + "\" " + why); };
    for (char c : label)
        if (static_cast<unsigned char>(c) <= ' ' || c == '"' || c == '\'' || c == 0x7f) bad("holds whitespace, a quote or a control character");
    // user, role and type are the first three ':'-separated parts; anything after the third ':' is
    // the MLS level, which must then not be empty.
    size_t start = 0;
    for (const char* what : {"user", "role", "type"}) {
        size_t colon = label.find(':', start);
        if (colon == start || (colon == std::string::npos && start >= label.size()))
            bad(std::string("has no ") + what + " (want user:role:type[:level])");
        if (colon == std::string::npos) {
            if (std::string(what) != "type") bad("is not user:role:type[:level]");
            return;
        }
        start = colon + 1;
    }
    if (start >= label.size()) bad("has an empty level");
}

std::string format_mount_label(const std::string& data, const std::string& label) {
    if (label.empty()) return data;
    std::string ctx = "context=\"" + label + "\"";
    return data.empty() ? ctx : data + "," + ctx;
}

bool takes_mount_label(const std::string& fstype, bool bind) {
    if (bind) return false;
    return fstype != "proc" && fstype != "sysfs" && fstype != "cgroup" && fstype != "cgroup2" && fstype != "bind";
}

}  // namespace docklock::selinux
