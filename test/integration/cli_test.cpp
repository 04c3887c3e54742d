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
