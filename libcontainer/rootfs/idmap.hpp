// Idmapped mounts, made by the runtime before clone (runtime side: it is root in the initial user
// namespace, which MOUNT_ATTR_IDMAP needs for the filesystems the container's sources live on). Each
// result is a detached mount (open_tree/fsmount fd) that the child moves into place with move_mount.
#pragma once
#include <string>
#include <vector>

#include "../spec/spec.hpp"
#include "../util/fd.hpp"

namespace docklock::rootfs {

// A user namespace holding these maps, as runc makes for mount_setattr: a short-lived child
// unshares CLONE_NEWUSER, the runtime writes its maps and keeps /proc/<pid>/ns/user open.
UniqueFd make_idmap_userns(const std::vector<spec::IdMapping>& uid, const std::vector<spec::IdMapping>& gid,
                           const std::string& field);

// A detached clone of `path` (recursive when `rec_clone`) idmapped with `userns_fd` (on every mount
// of the tree when `rec_attr`). Errors name `field`.
// With `src_fd` (an O_PATH fd the resolver opened and the policy judged), the clone is of that
// object; `path` then only names it in errors.
UniqueFd idmapped_tree(const std::string& path, int userns_fd, bool rec_clone, bool rec_attr, const std::string& field,
                       int src_fd = -1);

// The rootfs seen through the container's id maps: a plain directory is cloned and idmapped; an
// overlay mount (the kernel refuses MOUNT_ATTR_IDMAP on overlayfs: EINVAL) is rebuilt as a new
// overlay over idmapped clones of its layers (overlayfs accepts idmapped layers since 5.19).
UniqueFd idmapped_rootfs(const std::string& rootfs, const std::vector<spec::IdMapping>& uid,
                         const std::vector<spec::IdMapping>& gid);

// Why idmapped_rootfs cannot work for this rootfs ("" when nothing is known against it). Cheap: no
// fork, no mount; statfs and /proc/self/mountinfo only.
std::string rootfs_idmap_obstacle(const std::string& rootfs);

// Why a bind of `source` (a host path) cannot be idmapped ("" when nothing is known against it):
// statfs only, as rootfs_idmap_obstacle.
std::string bind_idmap_obstacle(const std::string& source);

// Does the kernel have idmapped mounts? mount_setattr(2) and MOUNT_ATTR_IDMAP came together in 5.12,
// so the syscall existing (any error but ENOSYS for a call with a bad fd) is the proof; whether a
// given filesystem supports it is told by the mount itself (EINVAL, reported with the field).
bool kernel_has_idmapped_mounts();

}  // namespace docklock::rootfs
