// OCI mount options -> mount(2) flags, propagation, recursive attributes and fs data.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace docklock::rootfs {

struct MountOptions {
    unsigned long flags = 0;
    unsigned long propagation = 0;
    uint64_t attr_set = 0, attr_clr = 0;
    bool bind = false, rec = false, tmpcopyup = false, idmap = false;
    bool ridmap = false;  // the idmap applies to every mount of an rbind, not only its top
    std::string data;  // options the filesystem parses itself (mode=, size=, ...)
};

MountOptions parse_mount_options(const std::vector<std::string>& opts);
unsigned long parse_propagation(const std::string& name);  // "rslave" -> MS_SLAVE|MS_REC; 0 if unknown

}  // namespace docklock::rootfs
