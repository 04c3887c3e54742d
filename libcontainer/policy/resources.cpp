// Resource defaults for unlimited containers: pids.max (on in the baseline), memory and cpu (off).
#include "controls.hpp"

namespace docklock::policy::detail {

void resources(Ctx& x, spec::Linux& l) {
    auto res = [&]() -> spec::Resources& {
        if (!l.resources) l.resources = spec::Resources{};
        return *l.resources;
    };
    int64_t pids = x.control("resources.pids").integer("limit");
    bool unlimited_pids = !l.resources || !l.resources->pidsLimit || *l.resources->pidsLimit <= 0;
    if (x.mode("resources.pids") != Mode::Off && pids > 0 && unlimited_pids &&
        x.violation("resources.pids", "linux.resources.pids.limit", "unlimited", std::to_string(pids),
                    "is unlimited: one container could exhaust the host's pids"))
        res().pidsLimit = pids;

    int64_t mem = x.control("resources.memory").integer("limit");
    bool unlimited_mem = !l.resources || !l.resources->memory || !l.resources->memory->limit ||
                         *l.resources->memory->limit <= 0;
    if (x.mode("resources.memory") != Mode::Off && mem > 0 && unlimited_mem &&
        x.violation("resources.memory", "linux.resources.memory.limit", "unlimited", std::to_string(mem),
                    "is unlimited")) {
        if (!res().memory) res().memory = spec::Memory{};
        res().memory->limit = mem;
    }

    int64_t quota = x.control("resources.cpu").integer("quota"), period = x.control("resources.cpu").integer("period");
    bool unlimited_cpu = !l.resources || !l.resources->cpu || !l.resources->cpu->quota || *l.resources->cpu->quota <= 0;
    if (x.mode("resources.cpu") != Mode::Off && quota > 0 && unlimited_cpu &&
        x.violation("resources.cpu", "linux.resources.cpu.quota", "unlimited",
                    std::to_string(quota) + "/" + std::to_string(period), "is unlimited")) {
        if (!res().cpu) res().cpu = spec::Cpu{};
        res().cpu->quota = quota;
        if (period > 0) res().cpu->period = static_cast<uint64_t>(period);
    }
}

}  // namespace docklock::policy::detail
