#include "stats.hpp"

#include <map>
#include <sstream>

#include "../util/fs.hpp"

namespace docklock::cgroups {
namespace {

uint64_t num(const std::string& dir, const char* file) {
    std::string s;
    if (dir.empty() || !fs::read_file_if_exists(dir + "/" + file, s)) return 0;
    try {
        return s.rfind("max", 0) == 0 ? 0 : std::stoull(s);
    } catch (const std::exception&) {
        return 0;
    }
}

std::map<std::string, uint64_t> keyed(const std::string& dir, const char* file) {
    std::map<std::string, uint64_t> out;
    std::string s;
    if (dir.empty() || !fs::read_file_if_exists(dir + "/" + file, s)) return out;
    std::istringstream in(s);
    std::string k;
    uint64_t v;
    while (in >> k >> v) out[k] = v;
    return out;
}

}  // namespace

nlohmann::json stats(const Manager& m) {
    nlohmann::json j;
    std::string u = m.unified_dir();
    bool v1 = false;
    for (const auto& d : m.dirs()) v1 |= !d.h.v2;
    if (v1) {
        std::string cpuacct = m.dir_of("cpuacct"), cpu = m.dir_of("cpu"), mem = m.dir_of("memory"), pids = m.dir_of("pids");
        std::vector<uint64_t> percpu;
        std::string pc;
        if (fs::read_file_if_exists(cpuacct + "/cpuacct.usage_percpu", pc)) {
            std::istringstream in(pc);
            uint64_t v;
            while (in >> v) percpu.push_back(v);
        }
        auto st = keyed(cpuacct, "cpuacct.stat");  // USER_HZ ticks
        auto thr = keyed(cpu, "cpu.stat");
        j["cpu"] = {{"usage",
                     {{"total", num(cpuacct, "cpuacct.usage")},
                      {"percpu", percpu},
                      {"kernel", st["system"] * 10000000ULL},
                      {"user", st["user"] * 10000000ULL}}},
                    {"throttling",
                     {{"periods", thr["nr_periods"]},
                      {"throttledPeriods", thr["nr_throttled"]},
                      {"throttledTime", thr["throttled_time"]}}}};
        j["memory"] = {
            {"usage",
             {{"limit", num(mem, "memory.limit_in_bytes")},
              {"usage", num(mem, "memory.usage_in_bytes")},
              {"max", num(mem, "memory.max_usage_in_bytes")},
              {"failcnt", num(mem, "memory.failcnt")}}},
            {"swap", {{"limit", num(mem, "memory.memsw.limit_in_bytes")}, {"usage", num(mem, "memory.memsw.usage_in_bytes")}}},
            {"raw", keyed(mem, "memory.stat")}};
        j["pids"] = {{"current", num(pids, "pids.current")}, {"limit", num(pids, "pids.max")}};
    } else {
        auto cs = keyed(u, "cpu.stat");
        j["cpu"] = {
            {"usage",
             {{"total", cs["usage_usec"] * 1000}, {"kernel", cs["system_usec"] * 1000}, {"user", cs["user_usec"] * 1000}}},
            {"throttling",
             {{"periods", cs["nr_periods"]},
              {"throttledPeriods", cs["nr_throttled"]},
              {"throttledTime", cs["throttled_usec"] * 1000}}}};
        j["memory"] = {
            {"usage", {{"limit", num(u, "memory.max")}, {"usage", num(u, "memory.current")}, {"max", num(u, "memory.peak")}}},
            {"swap", {{"limit", num(u, "memory.swap.max")}, {"usage", num(u, "memory.swap.current")}}},
            {"raw", keyed(u, "memory.stat")}};
        j["pids"] = {{"current", num(u, "pids.current")}, {"limit", num(u, "pids.max")}};
    }
    return j;
}

uint64_t oom_kill_count(const Manager& m) {
    for (const auto& d : m.dirs())
        if (!d.h.v2 && d.h.options.find("memory") != std::string::npos) return keyed(d.path, "memory.oom_control")["oom_kill"];
    return keyed(m.unified_dir(), "memory.events")["oom_kill"];
}

}  // namespace docklock::cgroups
