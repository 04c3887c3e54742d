// The flags a mount already has: a bind remount must repeat them, since in a user namespace the
// kernel refuses to clear locked nosuid/nodev/noexec/atime flags. Async-signal-safe.
#pragma once

namespace docklock::rootfs {
unsigned long current_mount_flags(const char* path, bool with_rdonly);
}
