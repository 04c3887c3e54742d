// linux.resources -> cgroup files (v1 files per controller, v2 files in the unified dir).
#pragma once
#include "cgroups.hpp"

namespace docklock::cgroups {
void apply_resources(const Manager& m, const spec::Resources& r);
uint64_t shares_to_weight(uint64_t shares);  // cpu.shares -> cpu.weight
}  // namespace docklock::cgroups
