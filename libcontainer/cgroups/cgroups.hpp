// The container's cgroup: one directory per mounted hierarchy (v1, hybrid, or unified v2).
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../spec/spec.hpp"

namespace docklock::cgroups {

struct Hierarchy {
    std::string mountpoint;  // /sys/fs/cgroup/memory, /sys/fs/cgroup/unified, /sys/fs/cgroup
    std::string name;        // directory name inside the container's /sys/fs/cgroup ("" for a pure v2 host)
    std::string options;     // v1 subsystem options ("memory", "name=systemd")
    std::vector<std::string> controllers;
    bool v2 = false;
};

enum class Layout { V1, Hybrid, Unified };

std::vector<Hierarchy> discover();  // from /proc/self/mountinfo
Layout layout(const std::vector<Hierarchy>& hs);

class Manager {
public:
    struct Dir {
        Hierarchy h;
        std::string path;  // absolute directory on the host
    };

    // cgroupsPath absolute, relative (under the runtime's own cgroup), or empty (derived from id).
    static Manager plan(const std::string& cgroups_path, const std::string& id);
    static Manager from_json(const nlohmann::json& j);
    nlohmann::json to_json() const;

    void create();                         // mkdir each dir (and parents); cpuset inherited on v1
    void apply(const spec::Resources& r);  // write resource files; errors name the field
    void add(pid_t pid) const;             // write pid into every hierarchy
    std::vector<pid_t> pids() const;       // every process in the container's cgroup
    void destroy() const;                  // kill what is left, rmdir (idempotent)
    bool exists() const;
    const std::vector<Dir>& dirs() const { return dirs_; }
    std::string dir_of(const std::string& controller) const;  // "" if not mounted
    std::string unified_dir() const;                          // v2 dir or ""

private:
    std::vector<Dir> dirs_;
    std::vector<std::string> created_;
};

}  // namespace docklock::cgroups
