// The policy engine: the one function that turns a requested spec into the spec that runs, with a
// finding for every change or refusal. The launcher only ever executes the result.
//
// apply() is pure: no syscalls, no file reads. Everything it needs to know about the host arrives
// in HostFacts (HostFacts::probe() reads the running host; tests and `policy check --host` pass
// their own). Loading a policy (load.cpp) and probing the host (host.cpp) are the impure edges.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../objects/facts.hpp"
#include "../spec/spec.hpp"

namespace docklock::policy {

// enforce: rewrite the request to the baseline; reject: refuse create/exec naming the control, the
// field and how an admin allows it; audit: record a finding only; off: do nothing.
enum class Mode { Enforce, Reject, Audit, Off };
std::string to_string(Mode m);
std::optional<Mode> mode_from_string(const std::string& s);

// One control: an id (e.g. "mounts.sensitive"), a mode and its parameters. Which parameters a
// control takes, and their types, is declared by control_specs() (schema.cpp).
struct Control {
    Mode mode = Mode::Off;
    std::map<std::string, std::vector<std::string>> lists;  // e.g. "allow": [CAP_CHOWN, ...]
    std::map<std::string, int64_t> ints;                    // e.g. "limit": 4096
    std::map<std::string, std::string> strings;             // e.g. "profile": docklock-default

    const std::vector<std::string>& list(const std::string& key) const;
    int64_t integer(const std::string& key, int64_t fallback = 0) const;
    std::string str(const std::string& key) const;
    bool operator==(const Control&) const = default;
};

enum class ParamType { List, Int, String };
struct ParamSpec {
    std::string key;
    ParamType type;
    std::string doc;
};
struct ControlSpec {
    std::string id, doc;
    std::vector<ParamSpec> params;
};
const std::vector<ControlSpec>& control_specs();  // every control, in the order `policy show` lists them
const ControlSpec* find_control_spec(const std::string& id);

// A trusted exception: when the container carries annotation `annotation` (with value `value`, or
// any value when empty), control `control` also allows the items in `allow`. Nothing else the
// client sends can weaken the policy, and never-list capabilities are never granted.
struct Exception {
    std::string annotation, value, control;
    std::vector<std::string> allow;
    bool operator==(const Exception&) const = default;
};

struct Policy {
    bool off = false;                         // --policy off: every config runs unchanged, as runc would (host limits aside)
    std::string source;                       // "builtin", a file path, or "off": named in refusal messages
    std::string audit_log;                    // append a JSON line per finding here (written by lifecycle, not the engine)
    std::map<std::string, Control> controls;  // every id of control_specs()
    std::vector<Exception> exceptions;
    // controls.seccomp.profile, read and checked by the loader (the engine reads no files): the
    // profile as OCI linux.seccomp JSON (Docker's format converted); null when none is named.
    nlohmann::json seccomp_profile;

    const Control& control(const std::string& id) const;
    bool operator==(const Policy&) const = default;
};

Policy builtin();                           // the compiled-in hardened baseline
Policy off();                               // --policy off
Policy load_file(const std::string& path);  // YAML over the builtin; errors "FILE:LINE:COL: what"
Policy load_string(const std::string& text, const std::string& origin);
// --policy FLAG ("off", "builtin" or a path), else env DOCKLOCK_POLICY (same forms), else `system_path`
// if it exists, else the builtin baseline.
Policy resolve(const std::string& flag, const char* env, const std::string& system_path = "/etc/docklock/policy.yaml");

std::string to_yaml(const Policy& p);  // loadable again by load_string
nlohmann::json to_json(const Policy& p);

struct HostFacts {
    uint64_t bounding = ~0ULL;  // the runtime's own bounding set: nothing outside it can be granted
    bool apparmor = false;      // AppArmor enabled
    int landlock_abi = 0;       // 0: no Landlock
    int oom_score_adj = 0;      // the runtime's own: a container may not go below it
    // The runtime's own hard limits of the rlimits that grant what a capability would
    // (RLIMIT_RTPRIO, RLIMIT_NICE, RLIMIT_MEMLOCK); a missing one is not judged.
    std::map<std::string, uint64_t> rlimit_hard;
    // A host path with its symlinks resolved (/var/run/docker.sock -> /run/docker.sock); a missing
    // tail is kept as written. Default: the path unchanged.
    std::function<std::string(const std::string&)> resolve;
    // The target of a /proc/<pid>/exe link ("" when it cannot be read). Default: "".
    std::function<std::string(const std::string&)> readlink;
    // Is `path` the host's own namespace of `type` (an OCI namespace type)? Default: false.
    std::function<bool(const std::string& type, const std::string& path)> is_host_namespace;

    // Subordinate id ranges (start, count) of `user` in `file` (/etc/subuid, /etc/subgid format), in
    // file order. Default: none. (userns remap)
    std::function<std::vector<std::pair<uint32_t, uint32_t>>(const std::string& file, const std::string& user)> subids;
    // Why the rootfs at this absolute path cannot be seen through idmapped mounts ("" when it can;
    // rootfs/idmap.cpp). Default: "".
    std::function<std::string(const std::string& rootfs)> rootfs_idmap;
    // Why a bind of this (resolved) host path cannot be idmapped ("" when it can). Default: "".
    std::function<std::string(const std::string& source)> bind_idmap;
    // A unix socket of a described host at this (resolved) path and who listens on it; nullopt when
    // it is no socket. Lexical facts only (`policy check --host FILE`, unit tests): on this host the
    // resolver reads the listener of each opened socket. Default: no sockets.
    std::function<std::optional<objects::Listener>(const std::string& path)> socket;
    std::string bundle;  // absolute bundle directory, for a relative root.path ("" in `policy check`)
    // The spec's objects, opened and judged by what was opened (objects/resolve.hpp: create, and
    // `policy check` on this host). When not resolved, apply() builds them lexically from the
    // strings through `resolve`/`readlink` above (`policy check --host FILE`, unit tests).
    objects::SpecFacts objects;

    std::string resolved(const std::string& p) const { return resolve ? resolve(p) : p; }
    std::string link_target(const std::string& p) const { return readlink ? readlink(p) : ""; }
    bool host_namespace(const std::string& t, const std::string& p) const {
        return is_host_namespace ? is_host_namespace(t, p) : false;
    }

    static HostFacts probe();  // reads the running host (the only impure part, done by the caller)
    // {"bounding": "all"|"0x..."|[names], "apparmor": bool, "landlock_abi": n,
    //  "symlinks": {"/var/run": "/run"}, "exe": {"/proc/1234/exe": "/usr/bin/dockerd"},
    //  "host_namespaces": {"network": ["/run/docker/netns/default"]},
    //  "subids": {"/etc/subuid": {"docklock": [[100000, 65536]]}}, "rootfs_idmap": {"/path/rootfs": "why not"},
    //  "bind_idmap": {"/host/dir": "why not"},
    //  "sockets": {"/srv/x.sock": {"listener_uid": 0, "listener": "dockerd", "pid": 812}, "/stale.sock": {}}}
    //  (a socket without "listener_uid" has no listener that could be found)
    static HostFacts from_json(const nlohmann::json& j, const std::string& origin);
};

struct Finding {
    std::string control, field, requested, applied, reason;
    std::string action = "changed";  // "changed", "refused", "audit" or "info"
    nlohmann::json to_json() const;
    std::string to_line() const;
};

struct Result {
    spec::Spec spec;
    std::vector<Finding> findings;
    bool refused() const;
    // The one-line error for the first refusal: `policy: refused by control "C": FIELD ...`.
    std::string refusal_message() const;
};

Result apply(const spec::Spec& requested, const Policy& policy, const HostFacts& host);
// The host paths the policy names (mounts.sensitive's reject and readonly lists, "/"): the
// resolver opens them so that the engine compares objects, not spellings.
std::vector<std::string> object_paths(const Policy& policy);
// exec: every process-level rule (capabilities, no_new_privileges, user.root, apparmor). The
// container's annotations select trusted exceptions. A refusal is a finding with action "refused".
spec::Process apply_to_process(const spec::Process& requested, const Policy& policy, const HostFacts& host,
                               std::vector<Finding>& findings, const std::map<std::string, std::string>& annotations = {},
                               const spec::Linux* container = nullptr);  // the running container's (its user namespace)
std::string refusal_message(const std::vector<Finding>& findings);       // "" when nothing was refused

// `policy check` output: {"policy", "refused", "findings"}.
nlohmann::json check_report(const Result& r, const Policy& p);

// The seccomp profile docklock ships (seccomp/profiles/docklock-default.json, embedded at build
// time, built fresh by each call), before it is re-evaluated against the capabilities a container keeps.
spec::Seccomp default_seccomp_profile();

}  // namespace docklock::policy
