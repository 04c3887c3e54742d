// linux.resources on this cgroup-v1-hybrid host: values land in the v1 files; what the kernel
// cannot honour is an error naming the field, and leaves nothing behind.
#include <dirent.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "harness.hpp"

using namespace harness;
using nlohmann::json;

static int start_detached(Bundle& b) {
    b.sh("sleep 100");
    REQUIRE(b.run({"--detach"}).code == 0);
    return json::parse(docklock({"state", b.id}).out)["pid"];
}

static std::string first_block_device() {
    DIR* d = opendir("/sys/block");
    std::string dev;
    while (dirent* e = readdir(d)) {
        if (e->d_name[0] == '.') continue;
        std::string n = e->d_name;
        if (n.rfind("loop", 0) == 0 || n.rfind("ram", 0) == 0) continue;
        dev = trim(read("/sys/block/" + n + "/dev"));
        break;
    }
    closedir(d);
    return dev;
}

TEST_CASE("memory limit and swap in either order and reservation and kernelTCP and swappiness") {
    Bundle b;
    b.config["linux"]["resources"]["memory"] = {{"limit", 32 << 20}, {"swap", 64 << 20}, {"reservation", 16 << 20}, {"swappiness", 10}, {"kernelTCP", 8 << 20}};
    int pid = start_detached(b);
    std::string mem = cgroup_dir_of(pid, "memory");
    CHECK(trim(read(mem + "/memory.limit_in_bytes")) == std::to_string(32 << 20));
    CHECK(trim(read(mem + "/memory.soft_limit_in_bytes")) == std::to_string(16 << 20));
    CHECK(trim(read(mem + "/memory.swappiness")) == "10");
    CHECK(trim(read(mem + "/memory.kmem.tcp.limit_in_bytes")) == std::to_string(8 << 20));
    if (exists(mem + "/memory.memsw.limit_in_bytes")) CHECK(trim(read(mem + "/memory.memsw.limit_in_bytes")) == std::to_string(64 << 20));
    // growing both: swap must be raised first or the kernel refuses the limit
    REQUIRE(docklock({"update", "--memory", "256m", "--memory-swap", "512m", b.id}).code == 0);
    CHECK(trim(read(mem + "/memory.limit_in_bytes")) == std::to_string(256 << 20));
    REQUIRE(docklock({"update", "--memory", "64m", "--memory-swap", "128m", b.id}).code == 0);
    CHECK(trim(read(mem + "/memory.limit_in_bytes")) == std::to_string(64 << 20));
}

TEST_CASE("cpu shares and quota and realtime-free cpuset and blkio throttling") {
    Bundle b;
    std::string dev = first_block_device();
    REQUIRE_FALSE(dev.empty());
    int maj = std::stoi(dev.substr(0, dev.find(':'))), min = std::stoi(dev.substr(dev.find(':') + 1));
    b.config["linux"]["resources"]["cpu"] = {{"shares", 512}, {"quota", 30000}, {"period", 60000}, {"cpus", "0"}, {"mems", "0"}};
    b.config["linux"]["resources"]["blockIO"] = {{"throttleReadBpsDevice", {{{"major", maj}, {"minor", min}, {"rate", 1048576}}}},
                                                 {"throttleWriteIOPSDevice", {{{"major", maj}, {"minor", min}, {"rate", 100}}}}};
    int pid = start_detached(b);
    CHECK(trim(read(cgroup_dir_of(pid, "cpu") + "/cpu.shares")) == "512");
    CHECK(trim(read(cgroup_dir_of(pid, "cpu") + "/cpu.cfs_quota_us")) == "30000");
    CHECK(trim(read(cgroup_dir_of(pid, "cpu") + "/cpu.cfs_period_us")) == "60000");
    CHECK(trim(read(cgroup_dir_of(pid, "cpuset") + "/cpuset.cpus")) == "0");
    CHECK(trim(read(cgroup_dir_of(pid, "blkio") + "/blkio.throttle.read_bps_device")) == dev + " 1048576");
    CHECK(trim(read(cgroup_dir_of(pid, "blkio") + "/blkio.throttle.write_iops_device")) == dev + " 100");
}

TEST_CASE("device rules: a denied device cannot be opened and an allowed one can") {
    Bundle b;
    // /dev/net/tun opens for anyone (using it needs CAP_NET_ADMIN), so only the device cgroup can refuse it.
    b.config["linux"]["devices"] = {{{"path", "/dev/net/tun"}, {"type", "c"}, {"major", 10}, {"minor", 200}, {"fileMode", 0666}}};
    b.sh("(exec 3</dev/net/tun) 2>/dev/null && echo tun-open || echo tun-denied; head -c 1 /dev/urandom | wc -c");
    Result r = b.run();
    REQUIRE(r.code == 0);
    CHECK(r.out == "tun-denied\n1\n");  // the spec's default rule denies all but the defaults
    Bundle a;
    a.config["linux"]["devices"] = b.config["linux"]["devices"];
    a.config["linux"]["resources"]["devices"].push_back({{"allow", true}, {"type", "c"}, {"major", 10}, {"minor", 200}, {"access", "rw"}});
    a.sh("(exec 3</dev/net/tun) 2>/dev/null && echo tun-open || echo tun-denied");
    Result ra = a.run();
    REQUIRE(ra.code == 0);
    CHECK(ra.out == "tun-open\n");
}

TEST_CASE("values the kernel cannot honour are errors naming the field") {
    struct Case {
        const char* name;
        json resources;
        const char* field;
    };
    std::vector<Case> cases = {
        {"kernel memory", {{"memory", {{"kernel", 50 << 20}}}}, "linux.resources.memory.kernel"},
        {"hugetlb (no hierarchy here)", {{"hugepageLimits", {{{"pageSize", "2MB"}, {"limit", 2 << 20}}}}}, "linux.resources.hugepageLimits[0]"},
        {"net_cls (no hierarchy here)", {{"network", {{"classID", 1048577}}}}, "linux.resources.network.classID"},
        {"cpuset out of range", {{"cpu", {{"cpus", "4096"}}}}, "linux.resources.cpu.cpus"},
    };
    for (const auto& c : cases) {
        Bundle b;
        b.config["linux"]["resources"].update(c.resources);
        b.sh("true");
        b.write();
        Result r = docklock({"create", "--bundle", b.dir, b.id});
        INFO(c.name << ": " << r.err);
        if (std::string(c.name).find("no hierarchy") != std::string::npos && r.code == 0) {
            WARN("SKIP: " << c.name << ": this host has the hierarchy mounted");
            continue;
        }
        CHECK(r.code != 0);
        CHECK_THAT(r.err, Catch::Contains(c.field));
        CHECK_FALSE(exists(state_root() + "/" + b.id));
        CHECK_FALSE(exists("/sys/fs/cgroup/memory/docklock-test/" + b.id));
    }
}
