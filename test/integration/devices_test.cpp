// The device cgroup is default-deny whatever the config lists (no rules, deny-only rules, no
// linux.resources at all), under the baseline and under --policy off as under runc: a host device
// node bound into the container cannot be opened. Opened O_RDONLY and closed at once, never read:
// /dev/loop-control (c 10:237) is on every Debian machine and opening it does nothing.
#include <catch2/catch.hpp>
#include <fstream>
#include <iostream>

#include "harness.hpp"

using namespace harness;
using nlohmann::json;

namespace {

const char* const kHostDevice = "/dev/loop-control";

// Bind the host's device node at /hostdev with `options`, and run the open probes.
void bind_host_device(Bundle& b, const std::vector<std::string>& options) {
    b.config["mounts"].push_back({{"destination", "/hostdev"}, {"type", "bind"}, {"source", kHostDevice}, {"options", options}});
    b.sh("(: </hostdev) 2>&1; echo hostdev-rc=$?; (: </dev/null) && echo null-ok");
}

// Open probe output: "open" when /hostdev opened, else the shell's error (its strerror).
std::string hostdev_result(const Result& r) {
    if (r.out.find("hostdev-rc=0") != std::string::npos) return "open";
    if (r.out.find("Operation not permitted") != std::string::npos) return "EPERM";
    if (r.out.find("Permission denied") != std::string::npos) return "EACCES";
    return "other";
}

// The baseline without the bind's nodev: what a container gets when nodev on a bind is undone, so only
// the device cgroup stands between it and the host device.
std::string baseline_without_nodev(const Bundle& b) {
    std::string path = b.dir + "/policy.yaml";
    std::ofstream(path) << "controls:\n  mounts.options: off\n";
    return path;
}

// Start `b` detached (sleeping), return the host's devices.list of its v1 devices cgroup.
std::string devices_list_of(Bundle& b) {
    b.sh("sleep 100");
    REQUIRE(b.run({"--detach"}).code == 0);
    int pid = json::parse(docklock({"state", b.id}).out)["pid"];
    std::string list = read(cgroup_dir_of(pid, "devices") + "/devices.list");
    docklock({"delete", "--force", b.id});
    return list;
}

void check_default_deny_list(const std::string& list) {
    INFO(list);
    CHECK(list.find("a *:* rwm") == std::string::npos);
    CHECK(list.find("c 1:3 rwm") != std::string::npos);  // /dev/null
    CHECK(list.find("c 10:237") == std::string::npos);
}

}  // namespace

TEST_CASE("devices: no device rules and no linux.resources - a bound host device cannot be opened (baseline)") {
    Bundle b;
    b.config["linux"].erase("resources");
    bind_host_device(b, {"rbind"});
    UsePolicy p(baseline_without_nodev(b));
    Result r = b.run();
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK(hostdev_result(r) == "EPERM");  // the device cgroup, not nodev
    CHECK(r.out.find("null-ok") != std::string::npos);
    Bundle h;
    h.config["linux"].erase("resources");
    check_default_deny_list(devices_list_of(h));
}

TEST_CASE("devices: deny-only rules - a bound host device cannot be opened (baseline)") {
    Bundle b;
    // Denies /dev/fuse only: before, everything else stayed allowed.
    b.config["linux"]["resources"]["devices"] = {
        {{"allow", false}, {"type", "c"}, {"major", 10}, {"minor", 229}, {"access", "rwm"}}};
    json rules = b.config["linux"]["resources"]["devices"];
    bind_host_device(b, {"rbind"});
    UsePolicy p(baseline_without_nodev(b));
    Result r = b.run();
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK(hostdev_result(r) == "EPERM");
    CHECK(r.out.find("null-ok") != std::string::npos);
    Bundle h;
    h.config["linux"]["resources"]["devices"] = rules;
    std::string list = devices_list_of(h);
    check_default_deny_list(list);
    CHECK(list.find("c 10:229") == std::string::npos);
}

TEST_CASE("devices: the builtin baseline - a bound host device with `dev` after `nodev` still cannot be opened") {
    UsePolicy p("builtin");
    Bundle b;
    b.config["linux"].erase("resources");
    // Options apply in order, so a later `dev` undoes `nodev` (mounts.options does not remove it when
    // nodev is already listed); the device cgroup refuses the open anyway.
    bind_host_device(b, {"rbind", "nodev", "dev"});
    Result r = b.run();
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    std::string got = hostdev_result(r);
    CHECK((got == "EPERM" || got == "EACCES"));
    CHECK(r.out.find("null-ok") != std::string::npos);
    Result check = docklock({"policy", "check", b.dir + "/config.json"});
    INFO(check.out << check.err);
    CHECK(check.out.find("linux.resources.devices") != std::string::npos);  // the deny-all finding
}

TEST_CASE("devices: --policy off without device rules is default-deny as under runc; an allow rule opens the device") {
    Bundle b;  // --policy off is the harness default
    b.config["linux"].erase("resources");
    bind_host_device(b, {"rbind"});
    Result r = b.run();
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK(hostdev_result(r) == "EPERM");
    CHECK(r.out.find("null-ok") != std::string::npos);
    // The same bind with a rule allowing the device: the probe is honest, the open succeeds.
    Bundle a;
    a.config["linux"]["resources"]["devices"] = {
        {{"allow", true}, {"type", "c"}, {"major", 10}, {"minor", 237}, {"access", "r"}}};
    bind_host_device(a, {"rbind"});
    Result ra = a.run();
    INFO(ra.out << ra.err);
    REQUIRE(ra.code == 0);
    CHECK(hostdev_result(ra) == "open");
    Bundle h;
    h.config["linux"].erase("resources");
    check_default_deny_list(devices_list_of(h));
}

TEST_CASE("devices: runc on this host, same bundles - no rules and deny-only rules deny the bound host device too") {
    if (!exists("/usr/sbin/runc") && !exists("/usr/bin/runc")) {
        std::cout << "SKIP: no runc on this host (hack/install-deps --bench installs Debian's)\n";
        return;
    }
    std::string runc = exists("/usr/sbin/runc") ? "/usr/sbin/runc" : "/usr/bin/runc";
    std::string root = state_root() + "/runc";
    for (int deny_only = 0; deny_only < 2; ++deny_only) {
        Bundle b;
        if (deny_only)
            b.config["linux"]["resources"]["devices"] = {
                {{"allow", false}, {"type", "c"}, {"major", 10}, {"minor", 229}, {"access", "rwm"}}};
        else
            b.config["linux"].erase("resources");
        bind_host_device(b, {"rbind"});
        b.write();
        Result r = run({runc, "--root", root, "run", "--bundle", b.dir, b.id + "-runc"});
        run({runc, "--root", root, "delete", "--force", b.id + "-runc"});
        INFO("deny-only " << deny_only << ": " << r.out << r.err);
        REQUIRE(r.code == 0);
        CHECK(hostdev_result(r) == "EPERM");
        CHECK(r.out.find("null-ok") != std::string::npos);
    }
}

TEST_CASE("devices: update --resources leaves the device rules alone (an allow-all in it is not written)") {
    Bundle b;
    b.sh("sleep 100");
    REQUIRE(b.run({"--detach"}).code == 0);
    int pid = json::parse(docklock({"state", b.id}).out)["pid"];
    std::string list = cgroup_dir_of(pid, "devices") + "/devices.list";
    Result u = docklock({"update", "--resources", "-", b.id},
                        R"({"devices": [{"allow": true, "access": "rwm"}], "pids": {"limit": 99}})");
    INFO(u.err);
    CHECK(u.code == 0);
    CHECK(trim(read(cgroup_dir_of(pid, "pids") + "/pids.max")) == "99");  // the rest is applied
    check_default_deny_list(read(list));
}
