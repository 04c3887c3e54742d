// The one function that turns a requested spec into the spec that runs, with a finding for
// every change. The hardened baseline (controls, YAML policy) plugs in here; the launcher only
// ever executes the result. Pure: no syscalls; host facts are passed in.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../spec/spec.hpp"

namespace docklock::policy {

struct HostFacts {
    uint64_t bounding = ~0ULL;  // the runtime's own bounding set: nothing outside it can be granted
    bool apparmor = false;
    static HostFacts probe();  // reads the running host (the only impure part, done by the caller)
};

struct Finding {
    std::string control, field, requested, applied, reason;
    nlohmann::json to_json() const;
    std::string to_line() const;
};

struct Policy {
    bool off = false;  // --policy off: run every config unchanged (except what the host cannot grant)
};

struct Result {
    spec::Spec spec;
    std::vector<Finding> findings;
};

Result apply(const spec::Spec& requested, const Policy& policy, const HostFacts& host);
spec::Process apply_to_process(const spec::Process& requested, const Policy& policy, const HostFacts& host,
                               std::vector<Finding>& findings);

}  // namespace docklock::policy
