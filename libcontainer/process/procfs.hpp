// Writes to /proc from the container's init (sysctls, oom_score_adj, LSM exec labels) through a
// verified procfs handle: /proc must be a real procfs, and the path is resolved beneath it without
// crossing a mount or following a magic link. A mount over /proc/sys/... or /proc/self/attr/... (from
// the config, or made by a container process before an exec) then fails the write with EXDEV
// instead of redirecting it to another file (runc's CVE-2019-16884 and CVE-2025-52881 class).
// Async-signal-safe: raw syscalls only, usable after clone.
#pragma once

namespace docklock::process {

// Writes value to path ("/proc/..."). Returns 0, or -1 with errno set (EXDEV: not procfs, or a
// mount in the way).
int write_proc_verified(const char* path, const char* value);

}  // namespace docklock::process
