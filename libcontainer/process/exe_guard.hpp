// CVE-2019-5736: a container process that gets hold of the runtime's own binary (through
// /proc/<pid>/exe of a docklock process inside the container, or because the container's command is
// /proc/self/exe, which the runtime's execve resolves to itself) must not be able to overwrite it.
// The commands that put a docklock process into a container re-execute docklock from a detached,
// read-only bind mount of its binary: every handle on that executable then ends on a read-only
// mount, and a reopen for writing fails with EROFS. No copy is made (runc's memfd clone costs a copy
// of the binary per call).
#pragma once

namespace docklock::process {

// Returns at once when the running binary is already on a read-only mount (after the re-exec, or an
// install on a read-only /usr). Otherwise re-executes argv from a read-only mount of /proc/self/exe and
// does not return; throws Error (errno, what failed) when that cannot be done, so the caller fails
// closed instead of running a container next to a writable runtime binary.
void reexec_from_read_only_binary(char** argv);

}  // namespace docklock::process
