// The CLI surface runc users rely on: version, features, spec, global flag handling.
#include <catch2/catch.hpp>
#include <fstream>

#include "harness.hpp"

using namespace harness;
using nlohmann::json;

TEST_CASE("version: --version prints runc's three lines plus libseccomp") {
    Result r = run({DOCKLOCK_BIN, "--version"});
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Catch::Matches("docklock version [0-9.]+\ncommit: [^\n]+\nspec: 1\\.[0-9.]+\nlibseccomp: [0-9.]+\n"));
}

TEST_CASE("features is truthful JSON") {
    Result r = run({DOCKLOCK_BIN, "features"});
    REQUIRE(r.code == 0);
    json f = json::parse(r.out);
    CHECK(f["ociVersionMin"] == "1.0.0");
    CHECK(f["linux"]["namespaces"].size() == 8);
    CHECK(f["linux"]["seccomp"]["enabled"] == true);
    CHECK(f["linux"]["mountExtensions"]["idmap"]["enabled"] == true);  // 6.x has mount_setattr (userns_test.cpp)
    CHECK(f["linux"]["cgroup"]["systemd"] == true);  // the systemd driver (vm.systemd)
    CHECK(f["linux"]["selinux"]["enabled"] == true);  // as runc: built with label support
    bool has_chown = false;
    for (const auto& c : f["linux"]["capabilities"]) has_chown |= c == "CAP_CHOWN";
    CHECK(has_chown);
}

TEST_CASE("spec writes runc's template and refuses to overwrite - --rootless maps the caller") {
    require_root();
    char tmpl[] = "/tmp/docklock-spec-XXXXXX";
    std::string dir = mkdtemp(tmpl);
    REQUIRE(run({DOCKLOCK_BIN, "spec", "--bundle", dir}).code == 0);
    json c = json::parse(read(dir + "/config.json"));
    CHECK(c["process"]["args"][0] == "sh");
    CHECK(c["root"]["path"] == "rootfs");
    Result again = run({DOCKLOCK_BIN, "spec", "--bundle", dir});
    CHECK(again.code != 0);
    CHECK_THAT(again.err, Catch::Contains("already exists"));
    std::remove((dir + "/config.json").c_str());
    REQUIRE(run({DOCKLOCK_BIN, "spec", "--rootless", "--bundle", dir}).code == 0);
    json r = json::parse(read(dir + "/config.json"));
    CHECK(r["linux"]["uidMappings"][0]["hostID"] == 0);
    bool userns = false;
    for (const auto& n : r["linux"]["namespaces"]) userns |= n["type"] == "user";
    CHECK(userns);
    run({"rm", "-rf", dir});
}

TEST_CASE("flags: unknown commands and flags are errors") {
    require_root();
    CHECK(docklock({"frobnicate"}).code != 0);
    Result f = docklock({"create", "--no-such-flag", "x"});
    CHECK(f.code != 0);
    CHECK_THAT(f.err, Catch::Contains("unknown flag --no-such-flag"));
    CHECK(docklock({"--log-format", "xml", "list"}).code != 0);
}

TEST_CASE("help: every command and subcommand prints its usage and flags and exits 0") {
    require_root();
    const std::vector<std::vector<std::string>> cmds{
        {"create"}, {"start"},  {"run"},    {"state"},          {"kill"},           {"delete"},   {"list"},
        {"spec"},   {"exec"},   {"features"}, {"pause"},        {"resume"},         {"ps"},       {"update"},
        {"events"}, {"findings"}, {"audit"}, {"policy", "show"}, {"policy", "check"}, {"profile", "apparmor"},
        {"profile", "record"}};
    for (const auto& c : cmds) {
        std::string name = c[0] + (c.size() > 1 ? " " + c[1] : "");
        INFO(name);
        for (const char* flag : {"--help", "-h"}) {
            std::vector<std::string> a = c;
            a.push_back(flag);
            Result r = docklock(a);
            CHECK(r.code == 0);
            CHECK_THAT(r.out, Catch::StartsWith("usage: docklock " + name));
            CHECK(r.err.empty());
        }
        std::vector<std::string> h{"help"};
        h.insert(h.end(), c.begin(), c.end());
        Result r = docklock(h);
        CHECK(r.code == 0);
        CHECK_THAT(r.out, Catch::StartsWith("usage: docklock " + name));
    }
    // The flags come from the same definitions the command parses with.
    CHECK_THAT(docklock({"create", "--help"}).out, Catch::Contains("--pid-file") && Catch::Contains("--console-socket"));
    CHECK_THAT(docklock({"profile", "record", "--help"}).out, Catch::Contains("--output"));
    for (const char* top : {"policy", "profile"}) {
        Result r = docklock({top, "--help"});
        CHECK(r.code == 0);
        CHECK_THAT(r.out, Catch::StartsWith(std::string("usage: docklock ") + top));
    }
    Result all = docklock({"help"});
    CHECK(all.code == 0);
    CHECK_THAT(all.out, Catch::Contains("profile record"));
    // A command's own flags after the container id (exec) are the command's, not a help request.
    CHECK(docklock({"help", "frobnicate"}).code != 0);
}
