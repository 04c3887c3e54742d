// Spec (after policy) -> InitPlan: every string, flag, fd and BPF program the child will need.
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

#include "../cgroups/cgroups.hpp"
#include "../objects/resolve.hpp"
#include "../spec/spec.hpp"
#include "plan.hpp"

namespace docklock::process {

struct PlanInputs {
    std::string bundle;
    bool no_pivot = false;
    int console_sock = -1;
    int preserve_fds = 0;
    const cgroups::Manager* cgroup = nullptr;
    std::vector<std::string>* notes = nullptr;  // debug notes (skipped syscalls, dropped caps)
    // `profile record`: the spec's filters stay (stacked), and a filter notifying every syscall
    // (seccomp/record.hpp) is loaded last, right before execve (so no_new_privs is set).
    bool record_syscalls = false;
    // The resolver's opened objects: namespaces are joined by these fds and bind sources cloned
    // from them (create); exec joins the running init's namespaces instead.
    const objects::Opened* objects = nullptr;
};

// For create: namespaces from the spec, full rootfs setup, hooks.
InitPlan build_init_plan(const spec::Spec& s, const PlanInputs& in);

// For exec: join every namespace of the running init (pid), run `proc` there.
InitPlan build_exec_plan(const spec::Spec& container, const spec::Process& proc, pid_t init_pid, const PlanInputs& in);

void close_plan_fds(InitPlan& p);  // parent side, after clone

int namespace_flag(const std::string& type);  // "network" -> CLONE_NEWNET

}  // namespace docklock::process
