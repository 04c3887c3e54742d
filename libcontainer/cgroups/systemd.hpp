// The systemd cgroup driver (--systemd-cgroup): the container's cgroup is a transient scope (or
// slice) that systemd creates over D-Bus with Delegate=yes; resources are then written to its
// directories by the cgroupfs code, and also given to systemd as unit properties so that a
// `systemctl daemon-reload` keeps them.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "../spec/spec.hpp"

namespace docklock::cgroups::systemd {

// A cgroupsPath "slice:prefix:name", as Docker sends on systemd hosts (runc's rules): the unit is
// "prefix-name.scope", or "name" itself when it ends in ".slice"; an empty slice is system.slice.
// An empty cgroupsPath is "system.slice:docklock:<id>".
struct UnitPath {
    std::string slice;  // the parent slice unit: "system.slice"
    std::string unit;   // "docker-<id>.scope", or "<name>.slice"
    bool is_slice() const;
    std::string cgroup() const;  // path below each hierarchy's root: "/system.slice/docker-<id>.scope"
};
UnitPath parse_path(const std::string& cgroups_path, const std::string& id);

// "a-b.slice" -> "/a.slice/a-b.slice"; "-.slice" (the root slice) -> "/". Errors name the slice.
std::string expand_slice(const std::string& slice);

// One unit property: a D-Bus variant of type b, t, s, au or as.
struct Property {
    std::string name;
    using Value = std::variant<bool, uint64_t, std::string, std::vector<uint32_t>, std::vector<std::string>>;
    Value value;
    bool operator==(const Property&) const = default;
};
// The properties systemd should hold for linux.resources, so a daemon-reload (which rewrites every
// file it manages from the unit) re-applies the same values: MemoryMax, TasksMax, CPUWeight (v1:
// CPUShares), CPUQuotaPeriodUSec/PerSecUSec, IOWeight (v1: BlockIOWeight); on v2 also MemoryLow,
// MemorySwapMax and the unified keys memory.min/low/high/max/swap.max, pids.max, cpu.weight.
std::vector<Property> resource_properties(const spec::Resources& r, bool unified);
// Everything StartTransientUnit gets: Description, Slice (or Wants for a slice), PIDs, Delegate,
// DefaultDependencies=no, the four accounting switches, then resource_properties.
std::vector<Property> unit_properties(const UnitPath& u, pid_t pid, const spec::Resources* r, bool unified);

// A connection to systemd: the private socket /run/systemd/private as root, else the system bus.
// `what` names the request in errors (the cgroupsPath), which say plainly when systemd is not running.
class Bus {
public:
    static Bus connect(const std::string& what);
    Bus(Bus&&) noexcept;
    ~Bus();
    // StartTransientUnit(unit, "replace", properties) and wait for its job (timeout: an error).
    void start_unit(const std::string& unit, const std::vector<Property>& props);
    // StopUnit(unit, "replace") and wait; a unit that does not exist is already stopped. Then ResetFailedUnit.
    void stop_unit(const std::string& unit);
    // SetUnitProperties(unit, runtime=true, props).
    void set_properties(const std::string& unit, const std::vector<Property>& props);

private:
    Bus(void* bus, std::string what) : bus_(bus), what_(std::move(what)) {}
    void wait_job(const std::string& job, const std::string& unit, const char* verb);
    void* bus_;  // sd_bus*
    std::string what_;
};

}  // namespace docklock::cgroups::systemd
