// linux.seccomp.listenerPath: the runtime-spec's seccomp agent hand-off. One connection per notify
// listener: the container process state (JSON) and the listener fd (SCM_RIGHTS, "seccompFd").
#pragma once
#include <sys/types.h>

#include <nlohmann/json.hpp>

#include "../spec/spec.hpp"

namespace docklock::lifecycle {

// The containerProcessState the agent receives: pid is the process that loaded the filter.
nlohmann::json container_process_state(const spec::Seccomp& s, pid_t pid, const nlohmann::json& state);

// Connects to s.listenerPath, sends `cps` with `listener` attached, closes. Throws an Error naming
// linux.seccomp.listenerPath when the agent cannot be reached or the send fails.
void send_to_seccomp_agent(const spec::Seccomp& s, int listener, const nlohmann::json& cps);

}  // namespace docklock::lifecycle
