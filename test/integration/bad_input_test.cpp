// Bad input: one line naming the field or path, non-zero exit, nothing left behind.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "harness.hpp"

using namespace harness;
using nlohmann::json;

static int count_docklock_processes() {
    int n = 0;
    DIR* d = opendir("/proc");
    while (dirent* e = readdir(d)) {
        if (!isdigit(static_cast<unsigned char>(e->d_name[0]))) continue;
        std::string cmd = read(std::string("/proc/") + e->d_name + "/cmdline");
        if (cmd.find(state_root()) != std::string::npos) ++n;
    }
    closedir(d);
    return n;
}

static void expect_clean_failure(Bundle& b, const Result& r, const std::string& needle) {
    INFO(r.err);
    CHECK(r.code != 0);
    CHECK_THAT(r.err, Catch::Contains(needle));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);  // one line
    CHECK_FALSE(exists(state_root() + "/" + b.id));
    for (const char* c : {"pids", "memory", "cpu", "devices", "freezer"})
        CHECK_FALSE(exists(std::string("/sys/fs/cgroup/") + c + "/docklock-test/" + b.id));
    CHECK(count_docklock_processes() == 0);
    CHECK_THAT(read("/proc/self/mountinfo"), !Catch::Contains(b.dir));
}

TEST_CASE("malformed config.json") {
    Bundle b;
    { std::ofstream(b.dir + "/config.json") << "{\"ociVersion\": \"1.0.2\", "; }
    expect_clean_failure(b, docklock({"create", "--bundle", b.dir, b.id}), "config.json: malformed JSON");
}

TEST_CASE("a field of the wrong type is named") {
    Bundle b;
    b.config["process"]["user"]["uid"] = "root";
    b.write();
    expect_clean_failure(b, docklock({"create", "--bundle", b.dir, b.id}),
                         "process.user.uid: expected an unsigned integer, got string");
}

TEST_CASE("missing rootfs") {
    Bundle b;
    b.config["root"]["path"] = "no-such-rootfs";
    b.write();
    expect_clean_failure(b, docklock({"create", "--bundle", b.dir, b.id}), "root.path: " + b.dir + "/no-such-rootfs");
}

TEST_CASE("unknown namespace type") {
    Bundle b;
    b.config["linux"]["namespaces"].push_back({{"type", "nosuchns"}});
    b.write();
    expect_clean_failure(b, docklock({"create", "--bundle", b.dir, b.id}),
                         "linux.namespaces[6].type: unknown namespace type \"nosuchns\"");
}

TEST_CASE("a mount that fails half-way through setup leaves no mount and cgroup or process") {
    Bundle b;
    b.config["mounts"].push_back({{"destination", "/bad"}, {"type", "nosuchfs"}, {"source", "x"}});
    b.write();
    expect_clean_failure(b, docklock({"create", "--bundle", b.dir, b.id}), "mount /bad");
}

TEST_CASE("duplicate and invalid container ids") {
    Bundle b;
    b.sh("sleep 30");
    REQUIRE(b.create().code == 0);
    Result dup = docklock({"create", "--bundle", b.dir, b.id});
    CHECK(dup.code != 0);
    CHECK_THAT(dup.err, Catch::Contains("\"" + b.id + "\" already exists"));
    CHECK(json::parse(docklock({"state", b.id}).out)["status"] == "created");  // the first one is untouched
    for (const char* bad : {"../escape", "a/b", "..", ""}) {
        Result r = docklock({"create", "--bundle", b.dir, bad});
        INFO(bad);
        CHECK(r.code != 0);
        CHECK_THAT(r.err, Catch::Contains("container id"));
    }
    CHECK_FALSE(exists(state_root() + "/../escape"));
}

TEST_CASE("a bad --root") {
    Bundle b;
    std::string file = b.dir + "/not-a-dir";
    { std::ofstream(file) << "x"; }
    Result r = run({DOCKLOCK_BIN, "--root", file, "create", "--bundle", b.dir, b.id});
    CHECK(r.code != 0);
    CHECK_THAT(r.err, Catch::Contains("--root " + file + ": not a directory"));
    Result l = run({DOCKLOCK_BIN, "--root", file, "list"});
    CHECK(l.code != 0);
}

TEST_CASE("json log format: the error is the last JSON line of --log and as containerd's shim reads it") {
    Bundle b;
    b.config["root"]["path"] = "missing";
    b.write();
    std::string log = b.dir + "/log.json";
    Result r = docklock({"--log", log, "--log-format", "json", "create", "--bundle", b.dir, b.id});
    CHECK(r.code != 0);
    std::string text = read(log);
    std::string last =
        text.substr(text.rfind('\n', text.size() - 2) == std::string::npos ? 0 : text.rfind('\n', text.size() - 2) + 1);
    json j = json::parse(last);
    CHECK(j["level"] == "error");
    CHECK_THAT(j["msg"].get<std::string>(), Catch::Contains("root.path"));
    CHECK(j.contains("time"));
}
