// Symlink-safe path operations inside a container root (openat2 RESOLVE_IN_ROOT).
// All run after clone: syscalls only.
#pragma once

namespace docklock::rootfs {

// Open path as if root_fd were "/": symlinks cannot lead outside it. Returns -1 with errno.
int open_in_root(int root_fd, const char* path, int flags);

// Create every missing component of path under root_fd (directories, and a regular file for the
// last one when last_is_file), then return an O_PATH fd of it. Returns -1 with errno.
int mkdir_all_in_root(int root_fd, const char* path, bool last_is_file);

}  // namespace docklock::rootfs
