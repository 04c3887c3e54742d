// Operations on a running container's cgroup: pause, resume, update, the process list, stats.
#include "../cgroups/freezer.hpp"
#include "../cgroups/stats.hpp"
#include "../util/error.hpp"
#include "../util/fs.hpp"
#include "lifecycle.hpp"

namespace docklock::lifecycle {
namespace {

state::Container open_live(state::Store& store, const std::string& id, const char* op) {
    state::Container c = store.open(id);
    c.lock();
    c.load();
    state::Status st = c.status();
    if (st == state::Status::Stopped) throw Error(std::string(op) + ": container \"" + id + "\" is not running");
    return c;
}

}  // namespace

void pause(state::Store& store, const std::string& id) {
    state::Container c = open_live(store, id, "pause");
    if (c.status() == state::Status::Paused) throw Error("pause: container \"" + id + "\" is already paused");
    cgroups::freeze(cgroups::Manager::from_json(c.st.cgroup));
}

void resume(state::Store& store, const std::string& id) {
    state::Container c = open_live(store, id, "resume");
    if (c.status() != state::Status::Paused) throw Error("resume: container \"" + id + "\" is not paused");
    cgroups::thaw(cgroups::Manager::from_json(c.st.cgroup));
}

void update(state::Store& store, const std::string& id, const spec::Resources& r) {
    state::Container c = open_live(store, id, "update");
    // Device rules are set once, at create, through the policy; an update leaves them as they are
    // (runc update ignores them too; containerd sends the create's rules back unchanged).
    spec::Resources without_devices = r;
    without_devices.devices.clear();
    cgroups::Manager::from_json(c.st.cgroup).apply(without_devices);
    // Keep the stored spec true: merge what changed into linux.resources.
    spec::Spec s = spec::parse_spec(fs::read_file(c.path("config.json")));
    spec::Resources& cur = s.linux->resources ? *s.linux->resources : s.linux->resources.emplace();
    if (r.memory) cur.memory = r.memory;
    if (r.cpu) cur.cpu = r.cpu;
    if (r.pidsLimit) cur.pidsLimit = r.pidsLimit;
    if (r.blockIO) cur.blockIO = r.blockIO;
    for (const auto& [k, v] : r.unified) cur.unified[k] = v;
    fs::replace_file(c.path("config.json"), spec::to_json(s).dump(), 0600);
}

std::vector<pid_t> pids(state::Store& store, const std::string& id) {
    state::Container c = store.open(id);
    c.load();
    return cgroups::Manager::from_json(c.st.cgroup).pids();
}

nlohmann::json stats(state::Store& store, const std::string& id) {
    state::Container c = store.open(id);
    c.load();
    if (c.status() == state::Status::Stopped) throw Error("events: container \"" + id + "\" is not running");
    return {{"type", "stats"}, {"id", id}, {"data", cgroups::stats(cgroups::Manager::from_json(c.st.cgroup))}};
}

uint64_t oom_kills(state::Store& store, const std::string& id) {
    state::Container c = store.open(id);
    c.load();
    return cgroups::oom_kill_count(cgroups::Manager::from_json(c.st.cgroup));
}

}  // namespace docklock::lifecycle
