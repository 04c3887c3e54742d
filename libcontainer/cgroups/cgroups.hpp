// The container's cgroup: one directory per mounted hierarchy (v1, hybrid, or unified v2).
#pragma once
#include <sys/types.h>

#include <optional>
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
        // What docklock made (and so may kill in and remove): `owned` when the container's directory did
        // not exist before this container (the systemd driver: systemd made it for the unit docklock
        // started); `made` the parent levels docklock created for it, outermost first. A directory that
        // was there before (empty, or create refuses it) is reused and never removed, nor its processes killed.
        bool owned = false;
        std::vector<std::string> made;
    };

    // The systemd driver's unit: the container's cgroup is the transient scope (or slice) `unit`.
    struct Systemd {
        std::string cgroups_path;  // as the spec gave it, for errors
        std::string unit, slice;
    };

    // cgroupsPath absolute, relative (under the runtime's own cgroup), or empty (derived from id).
    // With `systemd`: "slice:prefix:name" or empty (systemd.hpp); fails when systemd is not reachable.
    static Manager plan(const std::string& cgroups_path, const std::string& id, bool systemd = false);
    static Manager from_json(const nlohmann::json& j);  // also the cgroupfs driver's older array form
    nlohmann::json to_json() const;

    // Before create (and before state records the plan): refuse a cgroup that already exists in any
    // hierarchy with processes or child cgroups, and note which directories docklock is to make.
    void check_target();
    // The cgroupfs driver makes the directories and writes resources now. The systemd driver of a new
    // container waits for the init pid: add() starts the unit with it, then makes what systemd did not
    // (v1 hierarchies it does not manage) and writes the resources that apply() was given.
    void create();                         // mkdir each dir (and parents); cpuset inherited on v1
    void apply(const spec::Resources& r);  // write resource files (and systemd's properties); errors name the field
    void add(pid_t pid);                   // write pid into every hierarchy
    std::vector<pid_t> pids() const;       // every process in the container's cgroup
    // Kill what is left in the directories docklock made, stop the unit it started, rmdir them and then
    // the parent levels it made while they are empty (idempotent). Reused directories are left alone.
    void destroy() const;
    bool exists() const;
    const std::vector<Dir>& dirs() const { return dirs_; }
    std::string dir_of(const std::string& controller) const;  // "" if not mounted
    std::string unified_dir() const;                          // v2 dir or ""
    const std::optional<Systemd>& systemd() const { return systemd_; }

private:
    void check_dirs();
    void make_dirs();
    bool make_levels(Dir& d);               // false: a parent vanished under us, walk again
    std::vector<pid_t> owned_pids() const;  // processes in the directories docklock made
    std::string what_;                      // how errors name the spec's cgroupsPath
    bool unit_owned_ = false;               // systemd: the unit's cgroup did not exist before this container
    std::vector<Dir> dirs_;
    std::optional<Systemd> systemd_;
    bool unit_pending_ = false;               // systemd: planned here, the unit is not started yet
    std::optional<spec::Resources> pending_;  // systemd: resources for when it is
};

}  // namespace docklock::cgroups
