// Path-safety regressions for the runc CVEs not covered elsewhere (symlinked /dev/null and mount
// targets: rootfs_test.cpp; /proc/self/exe: binary_protection_test.cpp).
#include <catch2/catch.hpp>

#include "harness.hpp"

using namespace harness;

// CVE-2024-21626: runc leaked a host directory fd (/sys/fs/cgroup) into init, and process.cwd
// "/proc/self/fd/7" put the container's process in the host's filesystem. Whatever fd a cwd of
// /proc/self/fd/N names, the process must not start outside the container: create (or exec) fails, or
// the cwd is inside the container's root.
TEST_CASE("CVE-2024-21626: a cwd of /proc/self/fd/N never starts the process outside the container") {
    Bundle b;
    b.sh("sleep 1000");
    REQUIRE(b.create().code == 0);
    REQUIRE(docklock({"start", b.id}).code == 0);
    for (int n = 3; n <= 12; ++n) {
        std::string cwd = "/proc/self/fd/" + std::to_string(n);
        INFO(cwd);
        // pwd -P prints the kernel's view; a directory outside the root shows as unreachable or as a
        // host path, and /sys/fs/cgroup of the host has the host's cgroup.procs with pid 1 of the host.
        Result r = docklock({"exec", "--cwd", cwd, b.id, "sh", "-c", "pwd -P; ls /proc/self/cwd/.. >/dev/null && echo listed"});
        if (r.code == 0) {
            CHECK(r.out.find("(unreachable)") == std::string::npos);
            CHECK(r.out.rfind("/", 0) == 0);
        }
        Bundle c;
        c.config["process"]["cwd"] = cwd;
        c.sh("pwd -P");
        Result rr = c.run();
        if (rr.code == 0) {
            CHECK(rr.out.find("(unreachable)") == std::string::npos);
            CHECK(rr.out.rfind("/", 0) == 0);
        }
    }
    // A host directory really passed in (--preserve-fds 1 with fd 3 on the host's /tmp): the kernel
    // would put the process there; docklock refuses to start it.
    std::string cmd = std::string("exec 3</tmp; exec ") + DOCKLOCK_BIN + " --root " + state_root() +
                      " --policy off exec --preserve-fds 1 --cwd /proc/self/fd/3 " + b.id + " pwd";
    Result h = run({"sh", "-c", cmd});
    INFO(h.out << h.err);
    CHECK(h.code != 0);
    CHECK_THAT(h.err, Catch::Contains("cwd is outside the container's root"));
    CHECK(h.out.empty());
}

// CVE-2019-16884 / CVE-2025-52881 class: a mount over a /proc file that init writes must not
// redirect the write. Here the config mounts a host directory over /proc/sys/kernel and sets the
// kernel.domainname sysctl: the write must fail (EXDEV from the verified procfs handle), never land
// in the host file.
TEST_CASE("a mount over /proc/sys cannot redirect init's sysctl write to another file") {
    Bundle b;
    char tmpl[] = "/tmp/docklock-procredir-XXXXXX";
    std::string host = mkdtemp(tmpl);
    REQUIRE(run({"sh", "-c", "echo untouched > " + host + "/domainname"}).code == 0);
    b.config["mounts"].push_back({{"destination", "/proc/sys/kernel"}, {"type", "bind"}, {"source", host}, {"options", {"rbind"}}});
    b.config["linux"]["sysctl"] = {{"kernel.domainname", "redirected"}};
    b.args({"true"});
    Result r = b.run();
    CHECK(trim(read(host + "/domainname")) == "untouched");
    CHECK(r.code != 0);
    CHECK_THAT(r.err, Catch::Contains("kernel/domainname") && Catch::Contains("cross-device"));
    run({"rm", "-rf", host});
}
