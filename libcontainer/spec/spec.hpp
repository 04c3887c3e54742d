// The OCI runtime-spec (config.json, schema 1.0-1.2) as typed structs.
// Parsed once by parse_spec(); everything downstream works on these types.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mount_options.hpp"

namespace docklock::spec {

struct IdMapping {
    uint32_t containerID = 0, hostID = 0, size = 0;
};

struct Root {
    std::string path;
    bool readonly = false;
};

struct Mount {
    std::string destination, type, source;
    std::vector<std::string> options;
    std::vector<IdMapping> uidMappings, gidMappings;
    // Not in config.json: set by policy::apply for the setup code. `origin` is this mount's index
    // in the requested config (the resolver's fd of its source is found by it; -1: added by the
    // policy); `normalized` is `options` through the one normalizer (mount_options.hpp).
    int origin = -1;
    std::optional<MountOptions> normalized;
};

struct User {
    uint32_t uid = 0, gid = 0;
    std::optional<uint32_t> umask;
    std::vector<uint32_t> additionalGids;
    std::string username;
};

struct Rlimit {
    std::string type;
    uint64_t hard = 0, soft = 0;
};

struct Capabilities {
    std::vector<std::string> bounding, effective, inheritable, permitted, ambient;
};

struct ConsoleSize {
    uint32_t height = 0, width = 0;
};

struct Process {
    bool terminal = false;
    std::optional<ConsoleSize> consoleSize;
    User user;
    std::vector<std::string> args;
    std::string commandLine;
    std::vector<std::string> env;
    std::string cwd;
    std::optional<Capabilities> capabilities;
    std::vector<Rlimit> rlimits;
    bool noNewPrivileges = false;
    std::string apparmorProfile;
    std::optional<int> oomScoreAdj;
    std::string selinuxLabel;
    nlohmann::json ioPriority, scheduler, execCPUAffinity;  // carried, not yet applied
};

struct Hook {
    std::string path;
    std::vector<std::string> args, env;
    std::optional<int> timeout;
};

struct Hooks {
    std::vector<Hook> prestart, createRuntime, createContainer, startContainer, poststart, poststop;
    bool empty() const {
        return prestart.empty() && createRuntime.empty() && createContainer.empty() && startContainer.empty() &&
               poststart.empty() && poststop.empty();
    }
};

struct Namespace {
    std::string type, path;
    int origin = -1;  // not in config.json: the index in the requested config (the resolver's fd)
};

struct Device {
    std::string type, path;
    int64_t major = 0, minor = 0;
    std::optional<uint32_t> fileMode, uid, gid;
};

struct DeviceRule {
    bool allow = false;
    std::string type;  // a, c, b (empty means a)
    std::optional<int64_t> major, minor;
    std::string access;
};

struct Memory {
    std::optional<int64_t> limit, reservation, swap, kernel, kernelTCP;
    std::optional<uint64_t> swappiness;
    std::optional<bool> disableOOMKiller, useHierarchy, checkBeforeUpdate;
};

struct Cpu {
    std::optional<uint64_t> shares, period, realtimePeriod, burst;
    std::optional<int64_t> quota, realtimeRuntime, idle;
    std::string cpus, mems;
};

struct WeightDevice {
    int64_t major = 0, minor = 0;
    std::optional<uint16_t> weight, leafWeight;
};

struct ThrottleDevice {
    int64_t major = 0, minor = 0;
    uint64_t rate = 0;
};

struct BlockIO {
    std::optional<uint16_t> weight, leafWeight;
    std::vector<WeightDevice> weightDevice;
    std::vector<ThrottleDevice> throttleReadBpsDevice, throttleWriteBpsDevice, throttleReadIOPSDevice, throttleWriteIOPSDevice;
};

struct HugepageLimit {
    std::string pageSize;
    uint64_t limit = 0;
};

struct NetPriority {
    std::string name;
    uint32_t priority = 0;
};

struct Network {
    std::optional<uint32_t> classID;
    std::vector<NetPriority> priorities;
};

struct Rdma {
    std::optional<uint32_t> hcaHandles, hcaObjects;
};

struct Resources {
    std::vector<DeviceRule> devices;
    std::optional<Memory> memory;
    std::optional<Cpu> cpu;
    std::optional<int64_t> pidsLimit;
    std::optional<BlockIO> blockIO;
    std::vector<HugepageLimit> hugepageLimits;
    std::optional<Network> network;
    std::map<std::string, Rdma> rdma;
    std::map<std::string, std::string> unified;
};

struct SeccompArg {
    uint32_t index = 0;
    uint64_t value = 0, valueTwo = 0;
    std::string op;
};

struct SyscallRule {
    std::vector<std::string> names;
    std::string action;
    std::optional<uint32_t> errnoRet;
    std::vector<SeccompArg> args;
};

struct Seccomp {
    std::string defaultAction;
    std::optional<uint32_t> defaultErrnoRet;
    std::vector<std::string> architectures, flags;
    std::string listenerPath, listenerMetadata;
    std::vector<SyscallRule> syscalls;
};

struct Personality {
    std::string domain;
    std::vector<std::string> flags;
};

struct TimeOffset {
    int64_t secs = 0;
    uint32_t nanosecs = 0;
};

// docklock's extension (key "org.docklock.landlock", set by the policy): a Landlock domain for every
// process of the container. Paths are inside the container. Nothing under `noExec` may be executed
// and nothing under `noWrite` written; everything else stays as it was. An extra domain only
// restricts, so a client setting this weakens nothing.
struct Landlock {
    std::vector<std::string> noExec, noWrite;
    bool scopeSignals = false, scopeAbstractUnix = false;  // ABI 6, where the kernel has it
};

struct Linux {
    std::vector<IdMapping> uidMappings, gidMappings;
    std::map<std::string, std::string> sysctl;
    std::optional<Resources> resources;
    std::string cgroupsPath;
    std::vector<Namespace> namespaces;
    std::vector<Device> devices;
    std::optional<Seccomp> seccomp;
    // docklock's own extension (key "org.docklock.seccompStack"): filters loaded in addition to
    // `seccomp`, e.g. the policy's never-allowed calls stacked under a client's profile. Extra
    // filters can only deny more, so a client setting this weakens nothing.
    std::vector<Seccomp> seccompStack;
    std::optional<Landlock> landlock;
    std::string rootfsPropagation;
    std::vector<std::string> maskedPaths, readonlyPaths;
    std::string mountLabel;
    std::optional<Personality> personality;
    std::map<std::string, TimeOffset> timeOffsets;
    nlohmann::json intelRdt;

    const Namespace* find_namespace(const std::string& type) const {
        for (const auto& n : namespaces)
            if (n.type == type) return &n;
        return nullptr;
    }
};

struct Spec {
    std::string ociVersion;
    Root root;
    std::vector<Mount> mounts;
    std::optional<Process> process;
    std::string hostname, domainname;
    Hooks hooks;
    std::map<std::string, std::string> annotations;
    std::optional<Linux> linux;
};

// Parse config.json text. Errors are one line naming the field, e.g.
// "config.json: process.user.uid: expected an unsigned 32-bit integer, got string".
Spec parse_spec(const std::string& text, const std::string& origin = "config.json");
Spec parse_spec_json(const nlohmann::json& j, const std::string& origin = "config.json");
Process parse_process(const std::string& text, const std::string& origin = "process.json");
Resources parse_resources(const std::string& text, const std::string& origin = "resources");  // `update --resources`

nlohmann::json to_json(const Spec& s);
nlohmann::json to_json(const Process& p);
nlohmann::json to_json(const Seccomp& s);

// Structural checks the schema cannot express (namespace types, absolute paths, ...).
void validate(const Spec& s, const std::string& origin = "config.json");

}  // namespace docklock::spec
