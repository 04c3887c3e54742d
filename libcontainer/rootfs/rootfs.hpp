// The container's filesystem, set up by the child after clone, in this order:
// prepare_root -> mount_all -> create_devices -> (createContainer hooks) -> pivot -> finalize.
#pragma once
#include "../process/plan.hpp"

namespace docklock::rootfs {

int prepare_root(const process::RootfsPlan& p);                  // returns an O_PATH fd of the rootfs
void mount_all(const process::RootfsPlan& p, int root_fd);       // mounts.cpp
void create_devices(const process::RootfsPlan& p, int root_fd);  // devices.cpp
void pivot(const process::RootfsPlan& p);                        // pivot.cpp
void finalize(const process::RootfsPlan& p);                     // masked_paths.cpp: masked, readonly, root ro

// Build the plan from the spec (runtime side, before clone). plan_builder.cpp
}  // namespace docklock::rootfs
