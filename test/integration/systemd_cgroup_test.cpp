// The systemd cgroup driver where no systemd runs (this host): create and run fail closed with the
// reason and leave nothing behind. The driver itself is tested with systemd booted in hack/vm (vm.systemd).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <iostream>

#include "harness.hpp"

using namespace harness;

namespace {

void require_no_systemd() {
    require_root();
    if (exists("/run/systemd/system")) {
        std::cout << "SKIP: systemd runs on this host; this test is about hosts without it (vm.systemd tests the driver)\n";
        std::exit(77);
    }
}

// Every place the unit's cgroup would be, in each mounted hierarchy.
std::vector<std::string> unit_dirs(const std::string& rel) {
    std::vector<std::string> out;
    for (const char* h : {"memory", "pids", "cpu,cpuacct", "cpuset", "freezer", "devices", "blkio", "systemd", "unified", ""})
        out.push_back(std::string("/sys/fs/cgroup/") + h + rel);
    return out;
}

}  // namespace

TEST_CASE("systemd cgroup: without systemd create fails closed naming the cgroupsPath and leaves nothing") {
    require_no_systemd();
    Bundle b;
    std::string path = "system.slice:docklock-test:" + b.id;
    b.config["linux"]["cgroupsPath"] = path;
    b.config["linux"]["resources"]["pids"] = {{"limit", 10}};
    b.args({"sleep", "100"});
    b.write();
    for (const char* cmd : {"create", "run"}) {
        INFO(cmd);
        std::vector<std::string> a{"--systemd-cgroup", cmd, "--bundle", b.dir};
        if (std::string(cmd) == "run") a.push_back("--detach");
        a.push_back(b.id);
        Result r = docklock(a);
        CHECK(r.code != 0);
        CHECK_THAT(r.err, Catch::Contains("linux.cgroupsPath \"" + path + "\"") && Catch::Contains("systemd is not running") &&
                              Catch::Contains("docklock-test-" + b.id + ".scope"));
        CHECK_FALSE(exists(state_root() + "/" + b.id));
        for (const auto& d : unit_dirs("/system.slice/docklock-test-" + b.id + ".scope")) CHECK_FALSE(exists(d));
        Result list = docklock({"list", "--quiet"});
        CHECK(list.out.find(b.id) == std::string::npos);
    }
}

TEST_CASE("systemd cgroup: the default cgroupsPath and malformed ones") {
    require_no_systemd();
    Bundle b;
    b.args({"true"});
    b.config["linux"]["cgroupsPath"] = "";
    b.write();
    Result r = docklock({"--systemd-cgroup", "create", "--bundle", b.dir, b.id});
    CHECK(r.code != 0);  // empty: system.slice, unit docklock-<id>.scope
    CHECK_THAT(r.err,
               Catch::Contains("docklock-" + b.id + ".scope in system.slice") && Catch::Contains("systemd is not running"));
    CHECK_FALSE(exists(state_root() + "/" + b.id));
    for (const char* bad : {"system.slice:docker", "/docklock/abs", "system:docker:x"}) {
        INFO(bad);
        b.config["linux"]["cgroupsPath"] = bad;
        b.write();
        Result e = docklock({"--systemd-cgroup", "create", "--bundle", b.dir, b.id});
        CHECK(e.code != 0);
        CHECK_THAT(e.err, Catch::Contains(std::string("linux.cgroupsPath \"") + bad + "\""));
        CHECK_FALSE(exists(state_root() + "/" + b.id));
    }
    // Without the flag a slice:prefix:name path says which flag it needs.
    b.config["linux"]["cgroupsPath"] = "system.slice:docker:x";
    b.write();
    Result f = docklock({"create", "--bundle", b.dir, b.id});
    CHECK(f.code != 0);
    CHECK_THAT(f.err, Catch::Contains("use --systemd-cgroup"));
}
