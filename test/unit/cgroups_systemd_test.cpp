// The systemd cgroup driver's pure parts: cgroupsPath -> unit and cgroup path, resources -> properties.
#include <catch2/catch.hpp>

#include "libcontainer/cgroups/systemd.hpp"
#include "libcontainer/util/error.hpp"

using namespace docklock;
using namespace docklock::cgroups::systemd;

TEST_CASE("systemd: slice names expand to their cgroup path as systemd lays them out", "[systemd]") {
    CHECK(expand_slice("-.slice") == "/");
    CHECK(expand_slice("system.slice") == "/system.slice");
    CHECK(expand_slice("a-b.slice") == "/a.slice/a-b.slice");
    CHECK(expand_slice("machine-x-y.slice") == "/machine.slice/machine-x.slice/machine-x-y.slice");
    for (const char* bad : {"", ".slice", "system", "a/b.slice", "-a.slice", "a--b.slice", "a-.slice", "a b.slice"})
        CHECK_THROWS_WITH(expand_slice(bad), Catch::Contains("not a valid slice name"));
}

TEST_CASE("systemd: slice:prefix:name gives runc's unit names", "[systemd]") {
    UnitPath d = parse_path("system.slice:docker:0123abc", "ignored");
    CHECK(d.slice == "system.slice");
    CHECK(d.unit == "docker-0123abc.scope");
    CHECK_FALSE(d.is_slice());
    CHECK(d.cgroup() == "/system.slice/docker-0123abc.scope");

    UnitPath e = parse_path("", "c1");  // empty: the runtime's default
    CHECK(e.unit == "docklock-c1.scope");
    CHECK(e.cgroup() == "/system.slice/docklock-c1.scope");

    CHECK(parse_path(":docker:x", "i").cgroup() == "/system.slice/docker-x.scope");  // empty slice: system.slice
    CHECK(parse_path("-.slice:p:x", "i").cgroup() == "/p-x.scope");
    CHECK(parse_path("user-1000.slice:p:x", "i").cgroup() == "/user.slice/user-1000.slice/p-x.scope");
    CHECK(parse_path("system.slice::x", "i").unit == "x.scope");

    UnitPath s = parse_path("machine.slice:ignored:machine-pod1.slice", "i");  // a name ending in .slice is a slice
    CHECK(s.is_slice());
    CHECK(s.unit == "machine-pod1.slice");
    CHECK(s.cgroup() == "/machine.slice/machine-pod1.slice");
}

TEST_CASE("systemd: malformed cgroupsPaths are errors naming the field", "[systemd]") {
    for (const char* bad : {"system.slice:docker", "a:b:c:d", "/abs/path", "system.slice:docker:", "system.slice:do/cker:x",
                            "system.slice:docker:a b", "system:docker:x", "a--b.slice:docker:x"}) {
        INFO(bad);
        CHECK_THROWS_WITH(parse_path(bad, "id"), Catch::StartsWith(std::string("linux.cgroupsPath \"") + bad + "\""));
    }
}

TEST_CASE("systemd: resources become unit properties that survive a daemon-reload", "[systemd]") {
    spec::Resources r;
    r.memory = spec::Memory{};
    r.memory->limit = 64 << 20;
    r.pidsLimit = 50;
    r.cpu = spec::Cpu{};
    r.cpu->shares = 1024;
    r.cpu->quota = 50000;
    r.cpu->period = 100000;
    std::vector<Property> v2 = resource_properties(r, true);
    std::vector<Property> want{{"MemoryMax", uint64_t(64 << 20)},
                               {"TasksMax", uint64_t(50)},
                               {"CPUWeight", uint64_t(100)},
                               {"CPUQuotaPeriodUSec", uint64_t(100000)},
                               {"CPUQuotaPerSecUSec", uint64_t(500000)}};
    CHECK(v2 == want);
    CHECK(resource_properties(r, false)[2] == Property{"CPUShares", uint64_t(1024)});  // v1

    spec::Resources u;  // unlimited, and a quota systemd can only hold in whole percents (rounded up)
    u.memory = spec::Memory{};
    u.memory->limit = -1;
    u.pidsLimit = -1;
    u.cpu = spec::Cpu{};
    u.cpu->quota = 12345;
    std::vector<Property> p = resource_properties(u, true);
    REQUIRE(p.size() == 4);
    CHECK(p[0] == Property{"MemoryMax", UINT64_MAX});
    CHECK(p[1] == Property{"TasksMax", UINT64_MAX});
    CHECK(p[3] == Property{"CPUQuotaPerSecUSec", uint64_t(130000)});
    CHECK(resource_properties(spec::Resources{}, true).empty());
}

TEST_CASE("systemd: a scope gets its slice, its init pid and Delegate=yes", "[systemd]") {
    spec::Resources r;
    r.pidsLimit = 7;
    std::vector<Property> p = unit_properties(parse_path("system.slice:docker:x", "i"), 1234, &r, true);
    std::vector<Property> want{{"Description", std::string("docklock container docker-x.scope")},
                               {"Slice", std::string("system.slice")},
                               {"Delegate", true},
                               {"PIDs", std::vector<uint32_t>{1234}},
                               {"DefaultDependencies", false},
                               {"MemoryAccounting", true},
                               {"CPUAccounting", true},
                               {"TasksAccounting", true},
                               {"IOAccounting", true},
                               {"TasksMax", uint64_t(7)}};
    CHECK(p == want);
    std::vector<Property> s = unit_properties(parse_path("machine.slice:p:machine-x.slice", "i"), 1234, nullptr, true);
    CHECK(s[1] == Property{"Wants", std::vector<std::string>{"machine.slice"}});  // a slice holds no PIDs, no Delegate
    for (const auto& x : s) CHECK(x.name != "PIDs");
}

TEST_CASE("systemd: on v2 the files a daemon-reload would reset are held as properties too", "[systemd]") {
    spec::Resources r;
    r.memory = spec::Memory{};
    r.memory->limit = 64 << 20;
    r.memory->reservation = 32 << 20;
    r.memory->swap = 96 << 20;
    r.blockIO = spec::BlockIO{};
    r.blockIO->weight = 200;
    r.unified = {{"memory.high", "60000000"}, {"pids.max", "max"}, {"memory.max", "70000000\n"}, {"io.max", "8:0 rbps=1"}};
    std::vector<Property> want{{"MemoryMax", uint64_t(70000000)},  // the unified map is written last: it wins
                               {"MemoryLow", uint64_t(32 << 20)}, {"MemorySwapMax", uint64_t(32 << 20)},
                               {"IOWeight", uint64_t(200)},       {"MemoryHigh", uint64_t(60000000)},
                               {"TasksMax", UINT64_MAX}};
    CHECK(resource_properties(r, true) == want);
    std::vector<Property> v1{{"MemoryMax", uint64_t(64 << 20)}, {"BlockIOWeight", uint64_t(200)}};
    CHECK(resource_properties(r, false) == v1);  // v2-only settings and the unified map are not sent on v1
}
