// Namespaces: new ones of every type, joined ones by path, user namespace id maps.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <sstream>

#include "harness.hpp"

using namespace harness;
using nlohmann::json;

static std::string ns_of(const std::string& pid, const char* ns) {
    char buf[128] = {};
    ssize_t n = readlink(("/proc/" + pid + "/ns/" + ns).c_str(), buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

TEST_CASE("every namespace type is created new and and differs from the host's") {
    Bundle b;
    b.config["linux"]["namespaces"] = {{{"type", "pid"}},   {{"type", "network"}}, {{"type", "ipc"}}, {{"type", "uts"}},
                                       {{"type", "mount"}}, {{"type", "cgroup"}},  {{"type", "time"}}};
    b.sh("echo $$; hostname; for n in pid net ipc uts mnt cgroup time; do readlink /proc/self/ns/$n; done; ls /sys/class/net");
    Result r = b.run();
    REQUIRE(r.code == 0);
    std::istringstream in(r.out);
    std::string line;
    std::getline(in, line);
    CHECK(line == "1");
    std::getline(in, line);
    CHECK(line == "docklock-test");
    for (const char* n : {"pid", "net", "ipc", "uts", "mnt", "cgroup", "time"}) {
        std::getline(in, line);
        INFO(n);
        CHECK(line != ns_of("self", n));
    }
    std::getline(in, line);
    CHECK(line == "lo");
}

TEST_CASE("a namespace given by path is joined") {
    Bundle a;
    a.sh("sleep 30");
    REQUIRE(a.run({"--detach"}).code == 0);
    std::string pid = std::to_string(json::parse(docklock({"state", a.id}).out)["pid"].get<int>());
    Bundle b;
    b.config["linux"]["namespaces"] = {{{"type", "pid"}, {"path", "/proc/" + pid + "/ns/pid"}},
                                       {{"type", "network"}, {"path", "/proc/" + pid + "/ns/net"}},
                                       {{"type", "ipc"}, {"path", "/proc/" + pid + "/ns/ipc"}},
                                       {{"type", "mount"}}};
    b.config.erase("hostname");
    b.sh("readlink /proc/self/ns/net; readlink /proc/self/ns/ipc; readlink /proc/self/ns/pid");
    Result r = b.run();
    REQUIRE(r.code == 0);
    CHECK(r.out == ns_of(pid, "net") + "\n" + ns_of(pid, "ipc") + "\n" + ns_of(pid, "pid") + "\n");
}

TEST_CASE("user namespace: uid/gid maps written by the runtime and root inside is unprivileged outside") {
    Bundle b;
    b.config["linux"]["namespaces"].push_back({{"type", "user"}});
    b.config["linux"]["uidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
    b.config["linux"]["gidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
    run({"chown", "-R", "100000:100000", b.dir + "/rootfs"});
    b.sh("cat /proc/self/uid_map /proc/self/gid_map; id -u; stat -c %u /bin/busybox; sleep 2");
    REQUIRE(b.run({"--detach"}).code == 0);
    int pid = json::parse(docklock({"state", b.id}).out)["pid"];
    std::string status = read("/proc/" + std::to_string(pid) + "/status");
    CHECK_THAT(status, Catch::Contains("Uid:\t100000\t100000\t100000\t100000"));
    Result e = docklock({"exec", b.id, "sh", "-c", "cat /proc/self/uid_map; id -u; stat -c %u /bin/busybox"});
    REQUIRE(e.code == 0);
    std::istringstream in(e.out);
    std::string a, bb, c;
    in >> a >> bb >> c;
    CHECK(a == "0");
    CHECK(bb == "100000");
    CHECK(c == "65536");
    CHECK_THAT(e.out, Catch::EndsWith("0\n0\n"));
}

TEST_CASE("time namespace offsets move the container's monotonic and boot clocks") {
    Bundle b;
    b.config["linux"]["namespaces"].push_back({{"type", "time"}});
    b.config["linux"]["timeOffsets"] = {{"boottime", {{"secs", 86400 * 365}, {"nanosecs", 0}}}, {"monotonic", {{"secs", 86400 * 30}, {"nanosecs", 0}}}};
    b.sh("cut -d. -f1 /proc/uptime; cat /proc/self/timens_offsets");
    Result r = b.run();
    REQUIRE(r.code == 0);
    long uptime = std::stol(r.out);
    CHECK(uptime >= 86400L * 365);
    CHECK_THAT(r.out, Catch::Contains("monotonic     2592000         0") && Catch::Contains("boottime     31536000         0"));
}

TEST_CASE("a cgroup namespace is rooted at the container's own cgroup") {
    Bundle b;
    b.config["linux"]["resources"]["pids"] = {{"limit", 77}};
    b.sh("cat /proc/self/cgroup; cat /sys/fs/cgroup/pids/pids.max");
    Result r = b.run();
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains(":pids:/\n") && Catch::Contains(":memory:/\n") && Catch::EndsWith("77\n"));
    CHECK_THAT(r.out, !Catch::Contains("docklock-test"));
}
