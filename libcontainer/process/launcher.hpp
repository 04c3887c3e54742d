// Runtime side of clone: start the child (through a middle process when joining a user or pid
// namespace), place it in its cgroup, write its id maps, serve its hook requests, wait until it is ready.
#pragma once
#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "../cgroups/cgroups.hpp"
#include "../spec/spec.hpp"
#include "plan.hpp"

namespace docklock::process {

struct LaunchInputs {
    cgroups::Manager* cgroup = nullptr;  // joined before the child runs anything of the user (systemd: the unit starts)
    std::vector<spec::IdMapping> uid_mappings, gid_mappings;
    std::function<std::string(pid_t)> on_hooks;    // run prestart/createRuntime; returns the state JSON
    // The seccomp notify fd (still owned by the launcher) and the pid of the process that loaded it.
    std::function<void(int, pid_t)> on_seccomp_listener;
};

// Returns the child's pid (in the runtime's pid namespace) once it reported Ready.
// On failure the child is killed and reaped, and the error names what the child could not do.
pid_t launch(InitPlan& plan, const LaunchInputs& in);

// Become the reaper of orphaned descendants, so `run` and `exec` can wait for the container process.
void become_subreaper();

}  // namespace docklock::process
