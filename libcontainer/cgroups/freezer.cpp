#include "freezer.hpp"

#include <chrono>
#include <thread>

#include "../util/error.hpp"
#include "../util/fs.hpp"

namespace docklock::cgroups {
namespace {

// Where the freezer lives: the v1 freezer hierarchy, or the unified dir when it has cgroup.freeze.
std::pair<std::string, bool> freezer_of(const Manager& m) {
    std::string v1 = m.dir_of("freezer");
    if (!v1.empty()) return {v1, false};
    std::string v2 = m.unified_dir();
    if (!v2.empty() && fs::exists(v2 + "/cgroup.freeze")) return {v2, true};
    throw Error("pause: no freezer on this host (neither the v1 freezer hierarchy nor cgroup.freeze)");
}

bool frozen(const std::string& dir, bool v2) {
    std::string s;
    if (v2) return fs::read_file_if_exists(dir + "/cgroup.events", s) && s.find("frozen 1") != std::string::npos;
    return fs::read_file_if_exists(dir + "/freezer.state", s) && s.rfind("FROZEN", 0) == 0;
}

}  // namespace

void freeze(const Manager& m) {
    auto [dir, v2] = freezer_of(m);
    for (int i = 0; i < 1000; ++i) {
        // v1 can stay in FREEZING while a task is in an uninterruptible sleep: write again until FROZEN.
        fs::write_file(dir + (v2 ? "/cgroup.freeze" : "/freezer.state"), v2 ? "1" : "FROZEN");
        if (frozen(dir, v2)) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(i < 10 ? 1 : 10));
    }
    fs::write_file(dir + (v2 ? "/cgroup.freeze" : "/freezer.state"), v2 ? "0" : "THAWED");
    throw Error("pause: the cgroup " + dir + " did not freeze within 10s");
}

void thaw(const Manager& m) {
    auto [dir, v2] = freezer_of(m);
    fs::write_file(dir + (v2 ? "/cgroup.freeze" : "/freezer.state"), v2 ? "0" : "THAWED");
}

}  // namespace docklock::cgroups
