// Hooks run at the points the runtime-spec defines, with the state on stdin.
#include <sys/stat.h>

#include <unistd.h>
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "harness.hpp"

using namespace harness;
using nlohmann::json;

static json hook(const std::string& log, const std::string& name) {
    // busybox sh from the host rootfs copy: append "<name> <status> <pid> <mount ns>" per call
    return {{"path", "/bin/sh"},
            {"args",
             {"sh", "-c",
              "read s; echo \"" + name +
                  " $(echo \"$s\" | tr -d ' ' | grep -o '\"status\":\"[a-z]*\"') $X $(readlink /proc/self/ns/mnt)\" >> " + log}},
            {"env", {"X=" + name + "-env"}}};
}

TEST_CASE("all six hook types run in order with state and env") {
    Bundle b;
    std::string log = b.dir + "/hooks.log";
    for (const char* t : {"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"}) {
        json h = hook(log, t);
        if (std::string(t) == "startContainer") {
            // runs inside the container after pivot_root: the log is reached through a bind mount
            h = hook("/hooklog/hooks.log", t);
            h["path"] = "/bin/sh";
        }
        b.config["hooks"][t] = json::array({h});
    }
    b.config["mounts"].push_back({{"destination", "/hooklog"}, {"type", "bind"}, {"source", b.dir}, {"options", {"rbind"}}});
    b.sh("echo user-process >> /hooklog/hooks.log");
    Result r = b.run();
    INFO(r.err);
    REQUIRE(r.code == 0);
    std::string l = read(log);
    std::string host_mnt;
    {
        char buf[64] = {};
        ssize_t n = readlink("/proc/self/ns/mnt", buf, sizeof buf - 1);
        host_mnt.assign(buf, static_cast<size_t>(n));
    }
    std::istringstream in(l);
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) lines.push_back(line);
    REQUIRE(lines.size() == 7);
    CHECK_THAT(lines[0], Catch::StartsWith("prestart \"status\":\"created\" prestart-env " + host_mnt));
    CHECK_THAT(lines[1], Catch::StartsWith("createRuntime \"status\":\"creating\" createRuntime-env " + host_mnt));
    CHECK_THAT(lines[2], Catch::StartsWith("createContainer \"status\":\"creating\" createContainer-env"));
    CHECK_THAT(lines[2], !Catch::Contains(host_mnt));  // in the container's mount namespace
    CHECK_THAT(lines[3], Catch::StartsWith("startContainer \"status\":\"created\" startContainer-env"));
    CHECK(lines[4] == "user-process");
    CHECK_THAT(lines[5], Catch::StartsWith("poststart \"status\":\"running\" poststart-env " + host_mnt));
    CHECK_THAT(lines[6], Catch::StartsWith("poststop \"status\":\"stopped\" poststop-env " + host_mnt));
}

TEST_CASE("a failing or hanging createRuntime hook fails create and leaves nothing") {
    for (const char* script : {"exit 3", "sleep 10"}) {
        Bundle b;
        b.config["hooks"]["createRuntime"] = {{{"path", "/bin/sh"}, {"args", {"sh", "-c", script}}, {"timeout", 1}}};
        b.sh("true");
        Result r = b.create();
        INFO(script);
        CHECK(r.code != 0);
        CHECK_THAT(r.err, Catch::Contains("createRuntime hook 0"));
        CHECK_THAT(r.err, Catch::Contains(std::string(script) == "exit 3" ? "exited with status 3" : "timed out"));
        CHECK_FALSE(exists(state_root() + "/" + b.id));
        CHECK_FALSE(exists("/sys/fs/cgroup/pids/docklock-test/" + b.id));
    }
}

TEST_CASE("a failing poststart or poststop hook is a warning and the remaining hooks still run") {
    Bundle b;
    std::string log = b.dir + "/after.log";
    for (const char* phase : {"poststart", "poststop"})
        b.config["hooks"][phase] = {{{"path", "/bin/sh"}, {"args", {"sh", "-c", "exit 1"}}},
                                    {{"path", "/bin/sh"}, {"args", {"sh", "-c", std::string("echo ") + phase + " >> " + log}}}};
    b.sh("true");
    Result r = b.run();
    CHECK(r.code == 0);
    CHECK(read(log) == "poststart\npoststop\n");
    CHECK_THAT(r.err, Catch::Contains("poststart hook 0") && Catch::Contains("poststop hook 0"));
}
