// SELinux labels: process.selinuxLabel (written to /proc/thread-self/attr/exec by init right before
// execve, see init.cpp) and linux.mountLabel (context= on the mounts that take mount data). Plain
// functions over strings, so they are unit-tested on hosts without SELinux.
#pragma once
#include <string>

namespace docklock::selinux {

// SELinux is enabled when selinuxfs is mounted with an enforce file (as libselinux decides).
bool enabled();

// A label is user:role:type[:level]; level may itself hold ':' and ',' (s0:c1,c2). Throws Error
// naming `field` for an empty part, whitespace, a quote or a control character.
void validate_label(const std::string& label, const std::string& field);

// Mount data with the context= option for `label` appended (runc's FormatMountLabel): "" stays "",
// and a label is quoted because an MLS level holds commas.
std::string format_mount_label(const std::string& data, const std::string& label);

// Whether a mount of this type takes context= (not binds, proc, sysfs, cgroups: their labels come
// from policy, and the kernel refuses context= there).
bool takes_mount_label(const std::string& fstype, bool bind);

}  // namespace docklock::selinux
