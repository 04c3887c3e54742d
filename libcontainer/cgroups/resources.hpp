// linux.resources -> cgroup files (v1 files per controller, v2 files in the unified dir).
#pragma once
#include "cgroups.hpp"

namespace docklock::cgroups {
void apply_resources(const Manager& m, const spec::Resources& r);
// What create applies: `r` (or nothing, without linux.resources) with a deny-all device rule first, so
// the device cgroup is default-deny plus the rules plus the defaults whatever the spec lists, as in runc.
spec::Resources with_default_deny(const spec::Resources* r);
uint64_t shares_to_weight(uint64_t shares);  // cpu.shares -> cpu.weight
}  // namespace docklock::cgroups
