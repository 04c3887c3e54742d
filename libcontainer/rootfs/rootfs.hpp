// The container's filesystem, set up by the child after clone, in this order:
// prepare_root -> mount_all -> create_devices -> (createContainer hooks) -> pivot -> finalize.
#pragma once
#include "../process/plan.hpp"

namespace docklock::rootfs {

// Returns an O_PATH fd of the rootfs. root_dir_fd: with an idmapped rootfs, the rootfs directory as
// seen in the container's mount namespace, opened by the runtime (launcher.cpp), since a remapped
// root may not traverse its path (Docker's data-root is 0710 root); -1 otherwise.
int prepare_root(const process::RootfsPlan& p, int root_dir_fd);
void mount_all(const process::RootfsPlan& p, int root_fd);       // mounts.cpp
void create_devices(const process::RootfsPlan& p, int root_fd);  // devices.cpp
void pivot(const process::RootfsPlan& p, int root_fd);           // pivot.cpp: root_fd from prepare_root
void finalize(const process::RootfsPlan& p);                     // masked_paths.cpp: masked, readonly, root ro

// Build the plan from the spec (runtime side, before clone). plan_builder.cpp
}  // namespace docklock::rootfs
