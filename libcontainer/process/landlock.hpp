// Landlock for the container's processes (linux.org.docklock.landlock): built inside the container
// after its mounts exist, from the plan's precomputed paths, with raw syscalls only (the child of
// clone may not allocate).
#pragma once
#include "plan.hpp"

namespace docklock::process {

// 0, or -errno with *what naming the step that failed.
int apply_landlock(const LandlockPlan& p, const char** what);

}  // namespace docklock::process
