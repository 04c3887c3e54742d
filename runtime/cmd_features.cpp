#include <iostream>

#include "../caps/caps.hpp"
#include "../libcontainer/rootfs/idmap.hpp"
#include "../seccomp/compile.hpp"
#include "cli.hpp"
#include "version.hpp"

namespace docklock::cli {

int cmd_features(const Globals&, const std::vector<std::string>& argv) {
    po::options_description d("features");
    Parsed p = parse("features", argv, d);
    want_args(p, 0, 0, "features");
    nlohmann::json j{
        {"ociVersionMin", "1.0.0"},
        {"ociVersionMax", "1.2.0"},
        {"hooks", {"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"}},
        {"mountOptions",
         {"async",
          "atime",
          "bind",
          "defaults",
          "dev",
          "diratime",
          "dirsync",
          "exec",
          "iversion",
          "lazytime",
          "loud",
          "mand",
          "noatime",
          "nodev",
          "nodiratime",
          "noexec",
          "noiversion",
          "nolazytime",
          "nomand",
          "norelatime",
          "nostrictatime",
          "nosuid",
          "nosymfollow",
          "private",
          "ratime",
          "rbind",
          "rdev",
          "rdiratime",
          "relatime",
          "remount",
          "rexec",
          "rnoatime",
          "rnodev",
          "rnodiratime",
          "rnoexec",
          "rnorelatime",
          "rnostrictatime",
          "rnosuid",
          "rnosymfollow",
          "ro",
          "rprivate",
          "rrelatime",
          "rro",
          "rrw",
          "rshared",
          "rslave",
          "rstrictatime",
          "rsuid",
          "rsymfollow",
          "runbindable",
          "rw",
          "shared",
          "silent",
          "slave",
          "strictatime",
          "suid",
          "symfollow",
          "sync",
          "unbindable"}},
        {"linux",
         {{"namespaces", {"cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"}},
          {"capabilities", caps::all_names()},
          {"cgroup", {{"v1", true}, {"v2", true}, {"systemd", true}, {"systemdUser", false}, {"rdma", false}}},
          {"seccomp",
           {{"enabled", true},
            {"actions", seccomp::supported_actions()},
            {"operators", seccomp::supported_operators()},
            {"archs", seccomp::supported_archs()},
            {"knownFlags", seccomp::known_flags()},
            {"supportedFlags", seccomp::supported_flags()}}},
          {"apparmor", {{"enabled", true}}},
          {"selinux", {{"enabled", true}}},  // labels applied where SELinux is enabled (process/selinux.cpp)
          {"intelRdt", {{"enabled", false}}},
          // mount_setattr(2) and MOUNT_ATTR_IDMAP came in the same release (5.12): the syscall is the proof.
          {"mountExtensions", {{"idmap", {{"enabled", rootfs::kernel_has_idmapped_mounts()}}}}}}},
        {"annotations",
         {{"io.github.seccomp.libseccomp.version", seccomp::library_version()},
          {"org.opencontainers.runc.checkpoint.enabled", "false"},
          {"org.docklock.version", DOCKLOCK_VERSION}}}};
    std::cout << j.dump(4) << "\n";
    return 0;
}

}  // namespace docklock::cli
