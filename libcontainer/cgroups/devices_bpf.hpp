// Device rules on cgroup v2: a BPF_PROG_TYPE_CGROUP_DEVICE program, default deny, the rules as
// given (the last matching rule wins, as with v1's devices.allow/deny), attached with
// BPF_F_ALLOW_MULTI; on update the new program replaces the previous one.
#pragma once
#include <linux/filter.h>

#include <string>
#include <vector>

#include "../spec/spec.hpp"

namespace docklock::cgroups {

void apply_device_rules_v2(const std::string& cgroup_dir, const std::vector<spec::DeviceRule>& rules);

}  // namespace docklock::cgroups
