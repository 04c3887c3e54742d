// The state directory: <root>/<id>/ holds state.json (written atomically), config.json (the spec
// that runs, after policy), start.sock (present while created) and a lock taken with flock.
#pragma once
#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../util/fd.hpp"

namespace docklock::state {

enum class Status { Creating, Created, Running, Paused, Stopped };
std::string to_string(Status s);

struct ContainerState {
    std::string id, bundle, rootfs, created, owner;
    pid_t pid = 0;
    unsigned long long pid_start = 0;  // /proc/<pid>/stat starttime: guards against PID reuse
    std::map<std::string, std::string> annotations;
    nlohmann::json cgroup;  // cgroups::Manager::to_json()
    bool creating = false;  // set until create commits; with the lock free it means create died
};

// Process start time from /proc/<pid>/stat, 0 if gone or a zombie.
unsigned long long process_start_time(pid_t pid);

class Container {
public:
    Container(std::string id, std::string dir, UniqueFd dirfd)
        : id_(std::move(id)), dir_(std::move(dir)), dirfd_(std::move(dirfd)) {}
    const std::string& id() const { return id_; }
    const std::string& dir() const { return dir_; }
    std::string path(const std::string& name) const { return dir_ + "/" + name; }
    void lock();  // exclusive flock on the directory, held until destruction
    bool locked_by_other() const;  // someone (a create in progress) holds the lock
    void load();
    void save() const;
    Status status() const;
    nlohmann::json oci_state() const;  // the runtime-spec state document
    ContainerState st;

private:
    std::string id_, dir_;
    UniqueFd dirfd_;
    bool locked_ = false;
};

class Store {
public:
    explicit Store(std::string root);  // the --root directory; created 0700 if missing
    const std::string& root() const { return root_; }
    static void validate_id(const std::string& id);
    Container reserve(const std::string& id);  // mkdir <root>/<id>: fails if it exists
    Container open(const std::string& id);     // fails if it does not exist
    std::vector<std::string> list() const;

private:
    std::string root_;
};

}  // namespace docklock::state
