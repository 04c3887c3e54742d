// Integration harness: real containers from the busybox rootfs, driven through the docklock binary.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace harness {

struct Result {
    int code = -1;
    std::string out, err;
};

// fork/exec argv, feed input on stdin, capture stdout/stderr. Kills it after timeout_s.
Result run(const std::vector<std::string>& argv, const std::string& input = "", int timeout_s = 60);

// Exit with ctest's skip code (77) and the reason on stdout, unless running as root.
void require_root();

// Fresh state root per test process.
const std::string& state_root();

// `docklock --root <state_root> [--policy P] args...`. The tests written for runc-compatible behaviour
// run with `--policy off`, the default here; policy tests opt in to the builtin baseline or a file.
Result docklock(const std::vector<std::string>& args, const std::string& input = "");

// Which --policy docklock() passes while this is alive: "off" (the default), "builtin" (the compiled-in
// baseline, what the runtime runs by default), a policy file path, or "" for no flag at all.
class UsePolicy {
public:
    explicit UsePolicy(std::string policy);
    ~UsePolicy();
    UsePolicy(const UsePolicy&) = delete;
    UsePolicy& operator=(const UsePolicy&) = delete;

private:
    std::string previous_;
};

// A bundle in a temporary directory: a copy of the busybox rootfs plus config.json from `docklock spec`
// with terminal off. Deleting the bundle force-deletes the containers it started.
class Bundle {
public:
    Bundle();
    ~Bundle();
    Bundle(const Bundle&) = delete;
    Bundle& operator=(const Bundle&) = delete;
    nlohmann::json config;
    std::string dir;
    std::string id;  // unique per bundle
    void args(const std::vector<std::string>& a) { config["process"]["args"] = a; }
    void sh(const std::string& script) { args({"sh", "-c", script}); }
    void write() const;
    Result run(const std::vector<std::string>& extra = {});  // writes config, `run --bundle dir id`
    Result create(const std::vector<std::string>& extra = {});
};

std::string trim(const std::string& s);
bool exists(const std::string& path);
bool alive(int pid);  // exists and is not a zombie
std::string read(const std::string& path);
std::string cgroup_dir_of(int pid, const std::string& controller);  // host path from /proc/<pid>/cgroup

// Point a Docker 20.10 fixture (../shared/fixtures/docker-20.10/NAME.json) at this bundle: rootfs, the
// resolv.conf/hostname/hosts binds, cgroupsPath, no netns path, hooks dropped unless kept. SKIPs the
// test when the fixtures are absent.
void use_fixture(Bundle& b, const std::string& name, bool keep_hooks = false);
// Bind the static syscall probe (test/probe) at /probe in the container.
void add_probe(Bundle& b);

}  // namespace harness
