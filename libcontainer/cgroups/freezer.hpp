// Freeze and thaw every process of a container: cgroup.freeze on v2, freezer.state on v1.
#pragma once
#include "cgroups.hpp"

namespace docklock::cgroups {
void freeze(const Manager& m);  // returns once the kernel reports the cgroup frozen
void thaw(const Manager& m);
}  // namespace docklock::cgroups
