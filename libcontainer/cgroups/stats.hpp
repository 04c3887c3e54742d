// Resource usage of a container's cgroup in runc's `events` shape (what Docker's stats read).
#pragma once
#include <nlohmann/json.hpp>

#include "cgroups.hpp"

namespace docklock::cgroups {
nlohmann::json stats(const Manager& m);  // {"cpu":…, "memory":…, "pids":…, "blkio":…}
uint64_t oom_kill_count(const Manager& m);
}  // namespace docklock::cgroups
