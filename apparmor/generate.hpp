// `docklock profile apparmor`: an AppArmor profile from a short YAML description, as bane does from
// TOML. The description says what the workload may touch; everything else is denied:
//
//   name: web                       # the profile's name (--name overrides it)
//   filesystem:
//     read_only: [/etc/**]          # never written, even under a writable path (deny wins)
//     writable: [/tmp/**, /run/**]  # the only places writes are allowed
//     log_on_write: [/var/log/**]   # writable too, and every write is audited
//     allow_exec: [/bin/busybox]    # the executables that may run (all when empty)
//     deny_exec: [/bin/nc]          # never run, read or mapped
//   capabilities: [chown, setuid, setgid, net_bind_service]   # none when absent
//   network:
//     raw: false                    # raw sockets (ping, spoofing)
//     packet: false                 # AF_PACKET
//     protocols: [tcp, udp]         # inet and inet6 (icmp: inet); no inet networking when empty
//
// Every file may be read; writes are allowed only under `writable` and `log_on_write` (and the
// standard /dev nodes). Mounts, pivot_root, writes to /proc and /sys knobs, kernel memory and
// firmware are always denied; the runtime and the engines (unconfined, or docklock, runc, crun,
// dockerd, containerd, containerd-shim*) can signal the container.
#pragma once
#include <string>
#include <vector>

namespace docklock::apparmor {

struct ProfileDesc {
    std::string name;
    std::vector<std::string> read_only, writable, log_on_write, allow_exec, deny_exec;
    std::vector<std::string> capabilities;  // lower case, without CAP_ ("net_bind_service")
    bool raw = false, packet = false;
    std::vector<std::string> protocols;  // tcp, udp, icmp
};

// Errors name the origin, line and column (1-based) and the field:
// "web.yaml:4:5: filesystem.writable[1]: must be an absolute path".
ProfileDesc parse_description(const std::string& yaml, const std::string& origin);

std::string generate(const ProfileDesc& d);

// Loads (or replaces) a profile with `apparmor_parser -Kr` (no cache). Throws with the parser's
// message when it fails.
void load_profile(const std::string& text, const std::string& name);

}  // namespace docklock::apparmor
