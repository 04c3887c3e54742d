// User namespaces beyond the id maps: idmapped mounts (mounts[].uidMappings), sysfs in a user
// namespace that does not own the network namespace, and the policy's userns remap.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "harness.hpp"

using namespace harness;
using nlohmann::json;

namespace {

const json kMap = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};

// A bundle whose container has its own user namespace mapping 0..65535 to 100000.., rootfs chowned to match.
void with_userns(Bundle& b) {
    b.config["linux"]["namespaces"].push_back({{"type", "user"}});
    b.config["linux"]["uidMappings"] = kMap;
    b.config["linux"]["gidMappings"] = kMap;
    run({"chown", "-R", "100000:100000", b.dir + "/rootfs"});
}

std::string owner(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return "missing";
    return std::to_string(st.st_uid) + ":" + std::to_string(st.st_gid);
}

}  // namespace

TEST_CASE("idmapped mount: a host file shows its mapped owner inside and a file made inside gets the host owner back") {
    Bundle b;
    with_userns(b);
    std::string src = b.dir + "/src";
    REQUIRE(run({"mkdir", "-p", src}).code == 0);
    REQUIRE(run({"sh", "-c", "echo hi > " + src + "/owned && chown 1234:2345 " + src + "/owned"}).code == 0);
    b.config["mounts"].push_back({{"destination", "/data"},
                                  {"type", "bind"},
                                  {"source", src},
                                  {"options", {"bind", "rw"}},
                                  {"uidMappings", kMap},
                                  {"gidMappings", kMap}});
    b.config["mounts"].push_back({{"destination", "/plain"}, {"type", "bind"}, {"source", src}, {"options", {"bind"}}});
    b.sh("stat -c %u:%g /data/owned /plain/owned; touch /data/made-inside; stat -c %u:%g /data/made-inside");
    Result r = b.run();
    INFO(r.err);
    REQUIRE(r.code == 0);
    // Through the idmapped mount host 1234 is container 1234; through a plain bind it is unmapped (overflow id).
    CHECK(r.out == "1234:2345\n65534:65534\n0:0\n");
    CHECK(owner(src + "/made-inside") == "0:0");  // container root wrote as on-disk 0 through the maps
}

TEST_CASE("idmapped mount: the idmap option takes the container's maps and ridmap reaches submounts") {
    Bundle b;
    with_userns(b);
    std::string src = b.dir + "/src";
    REQUIRE(run({"mkdir", "-p", src}).code == 0);
    REQUIRE(run({"sh", "-c", "touch " + src + "/f && chown 42:43 " + src + "/f"}).code == 0);
    b.config["mounts"].push_back({{"destination", "/data"}, {"type", "bind"}, {"source", src}, {"options", {"rbind", "ridmap"}}});
    b.sh("stat -c %u:%g /data/f");
    Result r = b.run();
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(r.out == "42:43\n");
}

TEST_CASE("idmapped mount: errors name the field") {
    Bundle b;
    std::string src = b.dir + "/src";
    REQUIRE(run({"mkdir", "-p", src}).code == 0);
    b.config["mounts"].push_back({{"destination", "/data"},
                                  {"type", "bind"},
                                  {"source", src},
                                  {"options", {"bind"}},
                                  {"uidMappings", kMap},
                                  {"gidMappings", kMap}});
    b.args({"true"});
    Result r = b.run();
    CHECK(r.code != 0);
    CHECK_THAT(r.err, Catch::Contains("mounts[" + std::to_string(b.config["mounts"].size() - 1) +
                                      "].uidMappings: idmapped mounts need the container to have a user namespace"));
    Bundle c;
    with_userns(c);
    c.config["mounts"].push_back(
        {{"destination", "/data"}, {"type", "bind"}, {"source", src}, {"options", {"bind"}}, {"uidMappings", kMap}});
    c.args({"true"});
    r = c.run();
    CHECK(r.code != 0);
    CHECK_THAT(r.err, Catch::Contains("].gidMappings: required with uidMappings"));
}

TEST_CASE("features reports idmapped mounts as the kernel has them") {
    Result r = docklock({"features"});
    REQUIRE(r.code == 0);
    json j = json::parse(r.out);
    // This host's kernel (6.x) has mount_setattr, so idmapped mounts are enabled.
    CHECK(j["linux"]["mountExtensions"]["idmap"]["enabled"] == true);
}

TEST_CASE("sysfs in a user namespace that does not own the network namespace is the host's /sys bound read-only") {
    Bundle b;
    with_userns(b);
    auto& ns = b.config["linux"]["namespaces"];
    for (size_t i = 0; i < ns.size(); ++i)
        if (ns[i]["type"] == "network") ns.erase(i);  // the host's network namespace, owned by the initial user ns
    b.sh(
        "ls /sys/class/net | sort | tr '\\n' ' '; echo; grep ' /sys ' /proc/self/mountinfo; "
        "touch /sys/kernel/x 2>&1 || echo write-refused");
    Result r = b.run();
    INFO(r.err);
    REQUIRE(r.code == 0);
    std::string host_ifaces = run({"sh", "-c", "ls /sys/class/net | sort | tr '\\n' ' '"}).out;
    std::istringstream in(r.out);
    std::string line;
    std::getline(in, line);
    CHECK(line == host_ifaces);  // the host's interfaces: a bind of the host's /sys, not a new sysfs
    std::getline(in, line);
    CHECK_THAT(line, Catch::Contains(" /sys ro,"));
    CHECK_THAT(r.out, Catch::Contains("write-refused"));
}

TEST_CASE("sysfs with a new user namespace and a network namespace joined by path") {
    Bundle a;  // holds a network namespace created by the initial user namespace
    a.sh("sleep 30");
    REQUIRE(a.run({"--detach"}).code == 0);
    std::string pid = std::to_string(json::parse(docklock({"state", a.id}).out)["pid"].get<int>());
    Bundle b;
    with_userns(b);
    for (auto& n : b.config["linux"]["namespaces"])
        if (n["type"] == "network") n["path"] = "/proc/" + pid + "/ns/net";
    b.sh("readlink /proc/self/ns/net; ls /sys/class/net | tr '\\n' ' '; echo; grep ' /sys ' /proc/self/mountinfo");
    Result r = b.run();
    INFO(r.err);
    REQUIRE(r.code == 0);
    char buf[128] = {};
    REQUIRE(readlink(("/proc/" + pid + "/ns/net").c_str(), buf, sizeof buf - 1) > 0);
    std::istringstream in(r.out);
    std::string line;
    std::getline(in, line);
    CHECK(line == buf);
    std::getline(in, line);
    CHECK_THAT(line, Catch::Contains("lo"));
    std::getline(in, line);
    CHECK_THAT(line, Catch::Contains(" /sys ro,"));
}
