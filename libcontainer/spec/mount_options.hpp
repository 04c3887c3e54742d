// The one normalizer of OCI mount options: an option list -> the flags the kernel gets, exactly as
// the mount code applies them (later wins: ["ro", "rw"] is read-write; the recursive r* variants
// are mount_setattr attributes applied after the mount flags). The policy judges this output and
// the setup code consumes the same struct (spec::Mount::normalized); nothing else reads the strings.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace docklock::spec {

struct Mount;

struct MountOptions {
    unsigned long flags = 0;
    unsigned long propagation = 0;
    uint64_t attr_set = 0, attr_clr = 0;
    bool bind = false, rec = false, tmpcopyup = false, idmap = false;
    bool ridmap = false;  // the idmap applies to every mount of an rbind, not only its top
    std::string data;     // options the filesystem parses itself (mode=, size=, ...)
    bool operator==(const MountOptions&) const = default;

    // What the kernel ends up with for a per-mount attribute (MOUNT_ATTR_RDONLY, _NOSUID, _NODEV,
    // _NOEXEC): on the mount itself, and on every mount of a recursive bind.
    bool top_has(uint64_t attr) const;
    bool all_have(uint64_t attr) const;
};

MountOptions parse_mount_options(const std::vector<std::string>& opts);
unsigned long parse_propagation(const std::string& name);  // "rslave" -> MS_SLAVE|MS_REC; 0 if unknown

// Rewrite `opts` so that the attribute holds on the mount and, for a recursive bind, on every mount
// below it: the tokens that clear it ("rw", "rrw" for MOUNT_ATTR_RDONLY) are removed and the
// setting ones appended. The result is checked with parse_mount_options.
void force_attr(std::vector<std::string>& opts, uint64_t attr);

enum class MountKind { Bind, Cgroup, Regular };
// A bind is a bind whatever its type says ("type": "ext4" with "rbind" is a bind of the source).
MountKind kind_of(const Mount& m, const MountOptions& o);

}  // namespace docklock::spec
