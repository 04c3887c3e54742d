// Who listens on a unix socket file: the resolver asks this for every bind source that is a socket
// (and only then: it reads the kernel's socket table and every process's fd table). Impure.
#pragma once
#include <string>

#include "facts.hpp"

namespace docklock::objects {

// `file` is the opened socket file (device and inode as fstat gives them). A socket bound to that very file is looked up with
// sock_diag (UNIX_DIAG_VFS) in the runtime's network namespace, then in every other one a process is in; its holders are the
// processes with an fd on it (/proc/<pid>/fd -> socket:[inode]). Never throws: what cannot be
// found is said in Listener::unknown.
Listener listener_of(const Id& file);

}  // namespace docklock::objects
