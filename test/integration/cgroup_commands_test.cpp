// pause/resume, update, ps and events against the container's real cgroup on this host.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "harness.hpp"

using namespace harness;
using nlohmann::json;

static int init_pid(const std::string& id) { return json::parse(docklock({"state", id}).out)["pid"]; }

TEST_CASE("pause freezes every process and resume thaws them") {
    Bundle b;
    b.sh("sleep 100 & while :; do echo x > /tmp/tick; sleep 0.05; done");
    REQUIRE(b.run({"--detach"}).code == 0);
    int pid = init_pid(b.id);
    REQUIRE(docklock({"pause", b.id}).code == 0);
    CHECK(json::parse(docklock({"state", b.id}).out)["status"] == "paused");
    std::string freezer = cgroup_dir_of(pid, "freezer");
    CHECK(trim(read(freezer + "/freezer.state")) == "FROZEN");
    CHECK(docklock({"pause", b.id}).code != 0);  // already paused
    REQUIRE(docklock({"resume", b.id}).code == 0);
    CHECK(trim(read(freezer + "/freezer.state")) == "THAWED");
    CHECK(json::parse(docklock({"state", b.id}).out)["status"] == "running");
    CHECK(docklock({"resume", b.id}).code != 0);  // not paused
    // a paused container can be force-deleted
    REQUIRE(docklock({"pause", b.id}).code == 0);
    REQUIRE(docklock({"delete", "--force", b.id}).code == 0);
    CHECK_FALSE(alive(pid));
}

TEST_CASE("update changes live limits and ps lists the container's processes") {
    Bundle b;
    b.sh("sleep 100 & sleep 100");
    REQUIRE(b.run({"--detach"}).code == 0);
    int pid = init_pid(b.id);
    REQUIRE(docklock({"update", "--memory", "32m", "--pids-limit", "10", "--cpu-quota", "20000", "--cpu-period", "100000", b.id}).code == 0);
    CHECK(trim(read(cgroup_dir_of(pid, "memory") + "/memory.limit_in_bytes")) == "33554432");
    CHECK(trim(read(cgroup_dir_of(pid, "pids") + "/pids.max")) == "10");
    CHECK(trim(read(cgroup_dir_of(pid, "cpu") + "/cpu.cfs_quota_us")) == "20000");
    REQUIRE(docklock({"update", "--resources", "-", b.id}, R"({"pids":{"limit":20}})").code == 0);
    CHECK(trim(read(cgroup_dir_of(pid, "pids") + "/pids.max")) == "20");
    Result bad = docklock({"update", "--memory", "lots", b.id});
    CHECK(bad.code != 0);
    CHECK_THAT(bad.err, Catch::Contains("--memory"));
    json pids = json::parse(docklock({"ps", "--format", "json", b.id}).out);
    CHECK(pids.size() == 2);
    bool has_init = false;
    for (int p : pids) has_init |= p == pid;
    CHECK(has_init);
    Result table = docklock({"ps", b.id});
    CHECK_THAT(table.out, Catch::Contains("PID") && Catch::Contains("sleep 100"));
}

TEST_CASE("events --stats reports the cgroup's usage in runc's shape") {
    Bundle b;
    b.config["linux"]["resources"]["pids"] = {{"limit", 42}};
    b.sh("sleep 100");
    REQUIRE(b.run({"--detach"}).code == 0);
    Result r = docklock({"events", "--stats", b.id});
    REQUIRE(r.code == 0);
    json e = json::parse(r.out);
    CHECK(e["type"] == "stats");
    CHECK(e["id"] == b.id);
    CHECK(e["data"]["pids"]["current"] == 1);
    CHECK(e["data"]["pids"]["limit"] == 42);
    CHECK(e["data"]["memory"]["usage"]["usage"].get<uint64_t>() > 0);
    CHECK(e["data"]["cpu"]["usage"]["total"].get<uint64_t>() > 0);
}

TEST_CASE("events reports an OOM kill") {
    Bundle b;
    b.config["linux"]["resources"]["memory"] = {{"limit", 16 * 1024 * 1024}};
    b.sh("sleep 1; head -c 64m /dev/zero | tail > /dev/null; sleep 100");
    REQUIRE(b.run({"--detach"}).code == 0);
    std::vector<std::string> a{DOCKLOCK_BIN, "--root", state_root(), "events", "--interval", "100ms", b.id};
    // stop watching after a few seconds by killing the container
    pid_t killer = fork();
    if (killer == 0) {
        sleep(4);
        docklock({"kill", b.id, "KILL"});
        _exit(0);
    }
    Result r = run(a, "", 30);
    waitpid(killer, nullptr, 0);
    CHECK_THAT(r.out, Catch::Contains("{\"id\":\"" + b.id + "\",\"type\":\"oom\"}"));
}
