// Spec -> RootfsPlan, in the runtime before clone: paths resolved, options parsed, sources checked.
#pragma once
#include <string>

#include "../cgroups/cgroups.hpp"
#include "../process/plan.hpp"
#include "../objects/resolve.hpp"
#include "../spec/spec.hpp"

namespace docklock::rootfs {

struct RootfsInputs {
    std::string bundle;  // absolute bundle directory
    bool new_userns = false;
    bool cgroupns = false;
    bool no_pivot = false;
    const cgroups::Manager* cgroup = nullptr;
    // The resolver's opened objects (objects/resolve.hpp): bind sources are cloned from these fds
    // (the objects the policy judged), and the rootfs the child pivots into must be root.path's.
    const objects::Opened* objects = nullptr;
};

// Set by the policy's userns remap (policy/userns.cpp): the rootfs is idmapped with the container's maps.
inline constexpr const char* kRootfsIdmapAnnotation = "org.docklock.userns.idmap-rootfs";

process::RootfsPlan build_plan(const spec::Spec& s, const RootfsInputs& in);
std::string resolve_rootfs(const spec::Spec& s, const std::string& bundle);  // absolute, checked to be a directory

}  // namespace docklock::rootfs
