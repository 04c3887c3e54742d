// Where the policy's findings go: the runtime log (Docker shows a refusal's reason from it) and the
// audit log the policy names (a JSON line per finding with the container id and the time). The
// state dir's findings.json is written by create once the container exists.
#pragma once
#include <string>
#include <vector>

#include "../policy/policy.hpp"

namespace docklock::lifecycle {

// Logs and audits `findings` of operation `op` ("create", "exec") on container `id`, then throws the
// one-line refusal if any finding refused the request.
void record_findings(const policy::Policy& p, const std::string& id, const std::string& op,
                     const std::vector<policy::Finding>& findings);

}  // namespace docklock::lifecycle
