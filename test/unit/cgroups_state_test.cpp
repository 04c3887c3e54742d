// What the cgroup part of state.json says docklock made: the ownership that cleanup goes by.
#include <catch2/catch.hpp>

#include "libcontainer/cgroups/cgroups.hpp"
#include "libcontainer/util/error.hpp"

using namespace docklock;
using docklock::cgroups::Manager;
using nlohmann::json;

static json dir(const std::string& path) {
    return {{"mountpoint", "/sys/fs/cgroup/pids"},
            {"name", "pids"},
            {"options", "pids"},
            {"controllers", {"pids"}},
            {"v2", false},
            {"path", path}};
}

TEST_CASE("cgroups state: what docklock made survives the round trip through state.json", "[cgroups]") {
    json d = dir("/sys/fs/cgroup/pids/top/x/a");
    d["owned"] = false;
    d["made"] = json::array();
    json reused = json::array({d});
    d["owned"] = true;
    d["made"] = {"/sys/fs/cgroup/pids/top", "/sys/fs/cgroup/pids/top/x"};
    json made = json::array({d});
    for (const json& j : {reused, made}) {
        Manager m = Manager::from_json(j);
        REQUIRE(m.dirs().size() == 1);
        CHECK(m.dirs()[0].owned == j[0]["owned"].get<bool>());
        CHECK(m.dirs()[0].made == j[0]["made"].get<std::vector<std::string>>());
        CHECK(m.to_json() == j);
    }
}

TEST_CASE("cgroups state: state from before ownership was recorded removes the leaf as it did then", "[cgroups]") {
    Manager m = Manager::from_json(json::array({dir("/sys/fs/cgroup/pids/old")}));
    CHECK(m.dirs()[0].owned);
    CHECK(m.dirs()[0].made.empty());
}

TEST_CASE("cgroups: cgroupsPath with \"..\" components or naming a hierarchy root is refused before anything", "[cgroups]") {
    for (const char* p : {"/a/../b", "..", "../x", "/a/..", "a/../.."}) {
        INFO(p);
        CHECK_THROWS_WITH(Manager::plan(p, "id"),
                          Catch::Contains(std::string("linux.cgroupsPath \"") + p + "\": must not contain \"..\""));
    }
    for (const char* p : {"/", "//", "/./", "/."}) {
        INFO(p);
        CHECK_THROWS_WITH(Manager::plan(p, "id"), Catch::Contains("names the root of a cgroup hierarchy"));
    }
    // ".." inside a name is a name, and "." and doubled slashes are dropped
    Manager m = Manager::plan("//a..b/./c/", "id");
    for (const auto& d : m.dirs()) CHECK(d.path == d.h.mountpoint + "/a..b/c");
}
