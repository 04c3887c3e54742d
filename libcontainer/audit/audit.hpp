// `docklock audit`: the CIS Docker Benchmark v1.6.0 section 5 ("Container Runtime Configuration")
// judged on one config.json. A pure function, like the policy engine: the spec and the HostFacts in,
// one result per control out, so the same code audits a bundle as requested, the spec the policy
// would run, or a running container's stored (effective) config.
//
// Every control of section 5 is listed. Those a config.json cannot show (swarm mode, port
// mappings, the restart policy, `docker exec` options, health checks, image freshness, docker0)
// are INFO with the reason; the others are PASS or WARN with what the config says.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../policy/policy.hpp"
#include "../spec/spec.hpp"

namespace docklock::audit {

inline const std::string kBenchmark = "CIS Docker Benchmark v1.6.0, section 5";

struct Control {
    std::string id, title;
    bool visible;  // can a config.json show it at all
};
const std::vector<Control>& controls();  // 5.1 .. 5.32, in order

struct Check {
    std::string id, title;
    std::string result;  // "PASS", "WARN" or "INFO"
    std::string detail;
};

std::vector<Check> evaluate(const spec::Spec& s, const policy::HostFacts& host);

struct Report {
    std::string subject;   // the config file, bundle or container id audited
    std::string mode;      // "requested" or "effective"
    std::string policy;    // the policy's source in effective mode, "" in requested mode
    bool refused = false;  // effective mode: the policy would refuse it, nothing runs
    std::string refusal;
    std::vector<Check> checks;  // empty when refused

    bool any_warn() const;
    nlohmann::json to_json() const;
    std::string to_table() const;  // RESULT CONTROL TITLE DETAIL, then a summary line
};

}  // namespace docklock::audit
