// What the policy may know about the objects a spec names (bind sources, root.path, namespace
// paths, hook executables, the host paths the policy itself names): facts read from OPENED objects,
// pure data. The resolver (resolve.cpp) opens each object once and keeps the fd; the engine judges
// these facts; the setup code then uses the same fds. A path is never resolved twice.
// `policy check --host FILE` and the unit tests build the same facts lexically (lexical.cpp).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace docklock::objects {

struct Id {
    uint64_t dev = 0, ino = 0;
    bool operator==(const Id&) const = default;
};

// Who listens on a unix socket file (bind sources that are sockets only; sockets.cpp): the sockets
// bound to this very file (sock_diag UNIX_DIAG_VFS: device and inode of the file, in the runtime's
// network namespace, then in the others) and the processes holding them (/proc/*/fd).
struct Listener {
    bool found = false;      // a socket bound to the file and a process holding it were found
    std::string unknown;     // why not, when !found
    bool host_root = false;  // a holder runs as uid 0 (real, effective, saved or fs) of the initial user namespace
    int pid = 0;             // the holder named in messages (a root one first)
    uint32_t uid = 0;        // its effective uid, as the initial user namespace sees it
    std::string comm;        // its name
    bool operator==(const Listener&) const = default;
};

struct Facts {
    int error = 0;          // errno of opening it; an object that could not be opened is refused
    bool exists = true;     // false: a host path the policy names that is not there; `id` and
                            // `above` are then of its nearest existing parent (what would contain it)
    std::string path;       // where the kernel says the opened object is (allowlists, messages)
    Id id;
    uint32_t mode = 0, uid = 0, gid = 0;
    uint64_t rdev = 0;
    int64_t fs_magic = 0;   // statfs f_type of its filesystem
    bool mount_root = false;  // a directory that is the root of a mount (its ".." is on another mount)
    std::vector<Id> above;  // the directories above it, nearest first, up to the root
    // Where it sits inside its own filesystem (mountinfo's root of its mount + the rest of its
    // path): a directory bind-mounted elsewhere is still inside what it is inside on its
    // filesystem, which ".." from the mount's root cannot see. "" when unknown (lexical facts).
    std::string fs_path;
    // For a recursive bind source: the mounts below it that open_tree(AT_RECURSIVE) brings along,
    // each judged like the source itself (their mount points opened and read the same way).
    std::vector<Facts> below;
    Listener listener;      // S_ISSOCK(mode) only: who listens on it

    bool opened() const { return error == 0; }
    bool is(const Facts& o) const { return opened() && o.opened() && exists && o.exists && id == o.id; }
    bool inside(const Facts& dir) const;    // strictly below an existing `dir`
    bool contains(const Facts& o) const;    // `o` (or where a missing `o` would be) is strictly below
};

struct NsFacts {
    int error = 0;         // errno of opening it, or EINVAL when the fd is not a namespace
    std::string type;      // the OCI type the kernel says the fd is (NS_GET_NSTYPE)
    Id id;
    bool host = false;     // the runtime's own namespace of that type
    bool container_userns = false;  // a user namespace of a container docklock runs (not the host's)
    bool opened() const { return error == 0; }
};

struct SpecFacts {
    bool resolved = false;  // false: nothing was opened (the engine then builds lexical facts)
    Facts root;             // root.path
    Facts bundle;           // the bundle directory
    std::vector<Facts> mounts;                        // by mounts[] index: bind sources (others: default)
    std::vector<NsFacts> namespaces;                  // by linux.namespaces[] index (those with a path)
    std::map<std::string, std::vector<Facts>> hooks;  // by phase, by index
    std::map<std::string, Facts> paths;               // host paths the policy names, as written there
};

// Filesystems whose files are kernel interfaces (procfs, sysfs, cgroupfs, debugfs, tracefs,
// securityfs, bpf, configfs, efivarfs, pstore, nsfs, binfmt_misc...): "" or the name.
std::string kernel_interface_fs(int64_t magic);

}  // namespace docklock::objects
