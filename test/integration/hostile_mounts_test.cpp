// A hostile config.json against the builtin baseline, through mounts, root.path, mount options and
// sysfs (issue 14): what a client of dockerd/containerd who writes the config could try. Each case
// asserts the SAFE behaviour, from inside the container (the open that must fail, /proc/self/mountinfo)
// and from the host (no state left, the marker untouched). Evidence is harmless: markers in temp
// dirs, host knobs opened for writing with `: >>` (an open, never a write).
#include <sys/mount.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "harness.hpp"

using namespace harness;
using nlohmann::json;

namespace {

// The builtin baseline with one temp dir added to mounts.sensitive.reject: a stand-in for
// /var/lib/docker (absent on this host) that the tests may fill with markers.
struct SensitiveStandIn {
    std::string dir, policy;
    explicit SensitiveStandIn(const Bundle& b) : dir(b.dir + "-sensitive"), policy(b.dir + "-policy.yaml") {
        REQUIRE(run({"mkdir", "-p", dir + "/inner"}).code == 0);
        std::ofstream(dir + "/inner/marker") << "SENSITIVE-MARKER\n";
        std::ofstream(policy) << "controls:\n  mounts.sensitive:\n    reject: [/, /run/docker.sock, /run/docker, "
                                 "/run/containerd, /var/lib/docker, /var/lib/containerd, /var/lib/kubelet, /run/crio, "
                                 "/var/lib/containers, /run/podman, "
                              << dir << "]\n";
    }
    ~SensitiveStandIn() { run({"rm", "-rf", dir, policy}); }
};

// A host bind mount made by the test in a temp dir (what an admin's host may have), undone after.
struct HostBind {
    std::string target;
    HostBind(const std::string& source, const std::string& t) : target(t) {
        REQUIRE(run({"mkdir", "-p", target}).code == 0);
        REQUIRE(::mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) == 0);
    }
    ~HostBind() { ::umount2(target.c_str(), MNT_DETACH); }
};

void add_mount(Bundle& b, const std::string& dest, const std::string& type, const std::string& source,
               const std::vector<std::string>& options) {
    b.config["mounts"].push_back({{"destination", dest}, {"type", type}, {"source", source}, {"options", options}});
}

void drop_mount(Bundle& b, const std::string& dest) {
    json kept = json::array();
    for (const auto& m : b.config["mounts"])
        if (m["destination"] != dest) kept.push_back(m);
    b.config["mounts"] = kept;
}

// Refused at create, naming the control; nothing left behind on the host.
void check_refused(Bundle& b, const std::string& control) {
    Result r = b.create();
    INFO(r.out << r.err);
    CHECK(r.code != 0);
    CHECK_THAT(r.err, Catch::Contains("control \"" + control + "\""));
    CHECK_FALSE(exists(state_root() + "/" + b.id));
    CHECK_FALSE(exists("/sys/fs/cgroup/pids/docklock-test/" + b.id));
}

}  // namespace

// --- bypasses found by the attack (each failed before its fix) ---

TEST_CASE("hostile: an rbind source's submounts are judged too - a host /proc/sys mounted below it is not reachable",
          "[hostile]") {
    UsePolicy policy("builtin");
    Bundle b;
    // The host has /proc/sys bound below a plain directory (any submount of a kernel interface or of a
    // sensitive path below an innocent-looking source stands for the same thing).
    HostBind hb("/proc/sys", b.dir + "-rb/sub");
    add_mount(b, "/mnt", "bind", b.dir + "-rb", {"rbind"});
    b.sh("(: >>/mnt/sub/kernel/core_pattern) 2>/dev/null && echo core_pattern-writable; "
         "grep ' /mnt' /proc/self/mountinfo; echo done");
    Result r = b.run();
    INFO(r.out << r.err);
    CHECK(r.out.find("core_pattern-writable") == std::string::npos);
    CHECK(r.out.find(" - proc ") == std::string::npos);  // no procfs mount in the container below /mnt
    CHECK_FALSE(exists(state_root() + "/" + b.id));
    run({"rmdir", b.dir + "-rb/sub", b.dir + "-rb"});
}

TEST_CASE("hostile: sysfs in a user namespace without its own network namespace - the host /sys bound in has no "
          "writable mount below it",
          "[hostile]") {
    UsePolicy policy("builtin");
    Bundle b;
    // No network namespace: the user namespace does not own the host's, sysfs cannot be mounted and the
    // host's /sys is bound instead, with every mount below it (cgroup hierarchies, debugfs, bpf...).
    json ns = json::array();
    for (const auto& n : b.config["linux"]["namespaces"])
        if (n["type"] != "network") ns.push_back(n);
    ns.push_back({{"type", "user"}});
    b.config["linux"]["namespaces"] = ns;
    b.config["linux"]["uidMappings"] = {{{"containerID", 0}, {"hostID", 0}, {"size", 65536}}};
    b.config["linux"]["gidMappings"] = {{{"containerID", 0}, {"hostID", 0}, {"size", 65536}}};
    drop_mount(b, "/sys/fs/cgroup");  // the container's own cgroup mount would cover the host's
    b.sh("awk '$5 ~ \"^/sys\" && $6 !~ \"(^|,)ro(,|$)\" {print \"RW-MOUNT\", $5}' /proc/self/mountinfo; "
         "(: >>/sys/fs/cgroup/pids/cgroup.clone_children) 2>/dev/null && echo cgroup-knob-writable; echo done");
    Result r = b.run();
    INFO(r.out << r.err);
    REQUIRE(r.out.find("done") != std::string::npos);
    CHECK(r.out.find("RW-MOUNT") == std::string::npos);
    CHECK(r.out.find("cgroup-knob-writable") == std::string::npos);
}

TEST_CASE("hostile: root.path inside a sensitive directory that is not an engine's rootfs mount is refused",
          "[hostile]") {
    Bundle b;
    SensitiveStandIn s(b);
    UsePolicy policy(s.policy);
    // /var/lib/docker/overlay2 (every container's layers) or /var/lib/docker/containers as the rootfs:
    // a plain directory inside the sensitive one, with a shell in it.
    REQUIRE(run({"cp", "-a", b.dir + "/rootfs", s.dir + "/inner/rootfs"}).code == 0);
    b.config["root"]["path"] = s.dir + "/inner/rootfs";
    b.sh("cat /../marker 2>/dev/null; (: >>/bin/sh) 2>/dev/null && echo layer-writable; echo done");
    Result r = b.run();
    INFO(r.out << r.err);
    CHECK(r.code != 0);
    CHECK(r.out.find("layer-writable") == std::string::npos);
    CHECK_THAT(r.err, Catch::Contains("root.path"));
    CHECK_FALSE(exists(state_root() + "/" + b.id));
    // (`policy check` without the opened objects cannot tell a mount root from a directory: not asserted)
}

TEST_CASE("hostile: a subdirectory of a sensitive path mounted elsewhere on the host is judged as inside it",
          "[hostile]") {
    // Found open by the attack: ".." from the root of the host's bind mount crosses to the directory it
    // is mounted on, so the sensitive directory above the mount's source was never seen. The resolver
    // now also records where each object sits inside its filesystem (mountinfo's root of its mount,
    // plus its path below the mount point: objects::Facts::fs_path) and "inside" compares that too.
    Bundle b;
    SensitiveStandIn s(b);
    UsePolicy policy(s.policy);
    HostBind hb(s.dir + "/inner", b.dir + "-elsewhere");
    add_mount(b, "/mnt", "bind", b.dir + "-elsewhere", {"bind"});
    b.sh("cat /mnt/marker; echo done");
    Result r = b.run();
    INFO(r.out << r.err);
    CHECK(r.out.find("SENSITIVE-MARKER") == std::string::npos);
    run({"rmdir", b.dir + "-elsewhere"});
}

// --- classes the issue names, already blocked: refused at create, nothing reaches the host ---

TEST_CASE("hostile: filesystem types outside the allowlist are refused (host disk, overlay, binfmt_misc, debugfs, "
          "tracefs)",
          "[hostile]") {
    UsePolicy policy("builtin");
    struct Case {
        const char *name, *type, *source, *dest;
        std::vector<std::string> options;
    };
    std::string lower = "/etc", upper;
    for (const Case& c :
         {Case{"ext4 of the host disk", "ext4", "/dev/vda", "/hostdisk", {}},
          Case{"overlay with host dirs", "overlay", "overlay", "/ov", {"lowerdir=/etc:/usr", "upperdir=/tmp/u", "workdir=/tmp/w"}},
          Case{"binfmt_misc", "binfmt_misc", "binfmt_misc", "/bm", {}},
          Case{"debugfs", "debugfs", "debugfs", "/dbg", {}},
          Case{"tracefs", "tracefs", "tracefs", "/tr", {}},
          Case{"type with odd case", "Proc", "proc", "/p3", {}},
          Case{"type with a trailing space", "proc ", "proc", "/p4", {}},
          Case{"type none without bind", "none", "/", "/hostroot", {}}}) {
        SECTION(c.name) {
            Bundle b;
            add_mount(b, c.dest, c.type, c.source, c.options);
            b.sh(std::string("grep ' ") + c.dest + " ' /proc/self/mountinfo && echo MOUNTED; echo done");
            check_refused(b, "mounts.types");
            // from the host: nothing was mounted in the bundle's rootfs either
            CHECK_FALSE(exists(b.dir + "/rootfs" + c.dest));
        }
    }
}

TEST_CASE("hostile: a second proc away from /proc is refused (its sysctls would have no masks)", "[hostile]") {
    UsePolicy policy("builtin");
    Bundle b;
    add_mount(b, "/p2", "proc", "proc", {});
    check_refused(b, "mounts.types");
    // a proc whose destination only reaches /proc after cleaning is judged where it goes
    Bundle c;
    add_mount(c, "/p2/../proc/../p2", "proc", "proc", {});
    check_refused(c, "mounts.types");
}

TEST_CASE("hostile: later options win - [ro, rw] and [nosuid, nodev, suid, dev] on host binds are judged as the "
          "kernel gets them",
          "[hostile]") {
    UsePolicy policy("builtin");
    Bundle b;
    // /etc is a `readonly` directory: its bind must end up read-only, whatever the order of ro and rw.
    std::string host_dir = b.dir + "-hostdir";
    REQUIRE(run({"mkdir", "-p", host_dir}).code == 0);
    add_mount(b, "/hostetc", "bind", "/etc", {"ro", "rw"});
    add_mount(b, "/hostdir", "bind", host_dir, {"rbind", "nosuid", "nodev", "suid", "dev"});
    b.sh("(: >>/hostetc/hostname) 2>/dev/null && echo etc-writable; "
         "grep -E ' /host(etc|dir) ' /proc/self/mountinfo; echo done");
    Result r = b.run();
    INFO(r.out << r.err);
    REQUIRE(r.out.find("done") != std::string::npos);
    CHECK(r.out.find("etc-writable") == std::string::npos);
    for (const char* dest : {" /hostetc ", " /hostdir "}) {
        auto p = r.out.find(dest);
        REQUIRE(p != std::string::npos);
        std::string line = r.out.substr(p, r.out.find('\n', p) - p);
        CHECK_THAT(line, Catch::Contains("nosuid") && Catch::Contains("nodev"));
    }
    CHECK_THAT(r.out.substr(r.out.find(" /hostetc ")), Catch::StartsWith(" /hostetc ro,"));
    run({"rmdir", host_dir});
}

TEST_CASE("hostile: sysfs and cgroup mounts with a trailing rw stay read-only", "[hostile]") {
    UsePolicy policy("builtin");
    Bundle b;
    for (auto& m : b.config["mounts"])
        if (m["type"] == "sysfs" || m["type"] == "cgroup") m["options"].push_back("rw");
    // an "rw" smuggled to the filesystem inside a data option does not make the mount writable either
    add_mount(b, "/sys", "sysfs", "sysfs", {"ro", "x,rw"});
    b.sh("(: >>/sys/fs/cgroup/pids/pids.max) 2>/dev/null && echo pids-writable; "
         "(: >>/sys/kernel/uevent_helper) 2>/dev/null && echo sys-writable; "
         "awk '$5 ~ \"^/sys\" && $6 !~ \"(^|,)ro(,|$)\" {print \"RW-MOUNT\", $5}' /proc/self/mountinfo; echo done");
    Result r = b.run();
    INFO(r.out << r.err);
    if (r.code != 0) {  // refusing the odd data option is safe too
        CHECK_FALSE(exists(state_root() + "/" + b.id));
        return;
    }
    REQUIRE(r.out.find("done") != std::string::npos);
    CHECK(r.out.find("pids-writable") == std::string::npos);
    CHECK(r.out.find("sys-writable") == std::string::npos);
    CHECK(r.out.find("RW-MOUNT") == std::string::npos);
}

TEST_CASE("hostile: a relative bind source climbing out of the bundle to the host's root is refused", "[hostile]") {
    UsePolicy policy("builtin");
    Bundle b;
    add_mount(b, "/host", "bind", "../../../../../../", {"bind", "rw"});
    check_refused(b, "mounts.sensitive");
    b.write();
    Result c = docklock({"policy", "check", "--bundle", b.dir});
    INFO(c.out << c.err);
    CHECK_THAT(c.out + c.err, Catch::Contains("mounts.sensitive"));
    // Recursive, it is refused first for the host's /proc it would carry, and for the root as well.
    Bundle rb;
    add_mount(rb, "/host", "bind", "../../../../../../", {"rbind", "rw"});
    check_refused(rb, "mounts.types");
    rb.write();
    Result rc = docklock({"policy", "check", "--bundle", rb.dir});
    CHECK_THAT(rc.out + rc.err, Catch::Contains("mounts.sensitive") && Catch::Contains("host's root"));
}

TEST_CASE("hostile: remount spellings and host kernel interfaces as bind sources are refused", "[hostile]") {
    UsePolicy policy("builtin");
    struct Case {
        const char *name, *type, *source, *control;
        std::vector<std::string> options;
    };
    for (const Case& c : {Case{"remount of /proc", "bind", "/tmp", "mounts.types", {"bind", "remount", "rw"}},
                          Case{"bind of host /proc/sys", "bind", "/proc/sys", "mounts.types", {"rbind"}},
                          Case{"proc typed bind of host /proc", "proc", "/proc", "mounts.types", {"rbind"}},
                          Case{"cgroup typed bind of host cgroupfs", "cgroup", "/sys/fs/cgroup/pids", "mounts.types", {"bind"}},
                          Case{"magic link source", "bind", "/proc/1/root", "mounts.sensitive", {"rbind"}}}) {
        SECTION(c.name) {
            Bundle b;
            add_mount(b, "/x", c.type, c.source, c.options);
            check_refused(b, c.control);
        }
    }
}
