// The policy engine as the pure function it is: (spec, policy, host facts) -> (hardened spec,
// findings), and the YAML loader's errors. No kernel, no files beyond the Docker fixtures.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <iostream>

#include "libcontainer/policy/policy.hpp"
#include "libcontainer/util/error.hpp"
#include "libcontainer/util/fs.hpp"
#include "policy_helpers.hpp"

using namespace docklock;
using namespace policy_test;
using Catch::Contains;


TEST_CASE("policy: an empty policy file is the builtin baseline") {
    policy::Policy p = policy::load_string("", "x.yaml");
    policy::Policy b = policy::builtin();
    CHECK(p.controls == b.controls);
    CHECK(policy::load_string("version: 1\ncontrols: {}\n", "x.yaml").controls == b.controls);
    // what `policy show` prints loads back to the same policy
    CHECK(policy::load_string(policy::to_yaml(b), "shown.yaml").controls == b.controls);
}

TEST_CASE("policy: every control of the builtin baseline has a spec and a mode") {
    policy::Policy b = policy::builtin();
    for (const auto& cs : policy::control_specs()) {
        INFO(cs.id);
        CHECK(b.controls.count(cs.id) == 1);
    }
    CHECK(b.controls.size() == policy::control_specs().size());
}

TEST_CASE("policy: malformed policies name file line column and the field") {
    struct Case {
        const char* name;
        std::string yaml, want;
    };
    std::vector<Case> cases{
        {"invalid YAML", "controls: [a, b\n", "/etc/docklock/policy.yaml:2:1: invalid YAML"},
        {"top level not a mapping", "- a\n", "/etc/docklock/policy.yaml:1:1: the policy: expected a mapping"},
        {"unknown top-level key", "version: 1\nfoo: 1\n", "/etc/docklock/policy.yaml:2:1: foo: unknown key"},
        {"bad version", "version: 2\n", ":1:10: version: only version 1 exists"},
        {"version not an integer", "version: one\n", ":1:10: version: expected an integer"},
        {"unknown control", "controls:\n  capabilitys: enforce\n", ":2:3: controls.capabilitys: unknown control"},
        {"unknown mode", "controls:\n  seccomp: enforced\n", ":2:12: controls.seccomp: unknown mode \"enforced\""},
        {"mode of the wrong type", "controls:\n  seccomp: [enforce]\n", ":2:12: controls.seccomp"},
        {"unknown parameter", "controls:\n  capabilities:\n    mode: enforce\n    alow: []\n",
         ":4:5: controls.capabilities.alow: unknown key"},
        {"list of the wrong type", "controls:\n  capabilities:\n    allow: CAP_CHOWN\n",
         ":3:12: controls.capabilities.allow: expected a sequence"},
        {"integer of the wrong type", "controls:\n  resources.pids:\n    limit: lots\n",
         ":3:12: controls.resources.pids.limit: expected an integer"},
        {"unknown capability", "controls:\n  capabilities:\n    allow: [CAP_CHOWN, CAP_FLY]\n",
         ":3:24: controls.capabilities.allow[1]: unknown capability \"CAP_FLY\""},
        {"relative audit log", "audit_log: findings.log\n", ":1:12: audit_log: must be an absolute path"},
        {"exception granting a never capability",
         "exceptions:\n  - annotation: org.example/debug\n    control: capabilities\n    allow: [CAP_SYS_ADMIN]\n",
         ":4:13: exceptions[0].allow[0]: CAP_SYS_ADMIN is on capabilities.never"},
        {"exception of an unknown control", "exceptions:\n  - annotation: a\n    control: nope\n    allow: [x]\n",
         ":3:14: exceptions[0].control: unknown control"},
        {"exception without annotation", "exceptions:\n  - control: devices\n    allow: [/dev/fuse]\n",
         "exceptions[0].annotation: required"},
    };
    for (const auto& c : cases) {
        SECTION(c.name) {
            std::string e = load_error(c.yaml);
            INFO(c.yaml);
            CHECK_THAT(e, Contains(c.want));
            CHECK(e.find('\n') == std::string::npos);  // one line
        }
    }
}

TEST_CASE("policy: a missing policy file is an error naming it - off and builtin need no file") {
    CHECK_THROWS_WITH(policy::load_file("/nonexistent/policy.yaml"), Contains("/nonexistent/policy.yaml"));
    CHECK(policy::resolve("off", nullptr, "/nonexistent").off);
    CHECK(policy::resolve("", "off", "/nonexistent").off);
    CHECK(policy::resolve("", nullptr, "/nonexistent").source == "builtin");
    CHECK(policy::resolve("builtin", "off", "/nonexistent").source == "builtin");  // the flag wins over the env
}

TEST_CASE("policy: off runs the config unchanged") {
    spec::Spec s = fixture("privileged");
    policy::Result r = policy::apply(s, policy::off(), host());
    CHECK(spec::to_json(r.spec) == spec::to_json(s));
    CHECK_FALSE(r.refused());
}

TEST_CASE("policy: the privileged fixture is downgraded marker by marker") {
    policy::Result r = policy::apply(fixture("privileged"), policy::builtin(), host());
    REQUIRE_FALSE(r.refused());
    const auto& p = *r.spec.process;
    CHECK(p.capabilities->bounding == baseline_caps());
    CHECK(p.capabilities->effective == baseline_caps());
    CHECK(p.capabilities->inheritable.empty());
    CHECK(p.capabilities->ambient.empty());
    CHECK(p.noNewPrivileges);
    const auto& l = *r.spec.linux;
    REQUIRE(l.seccomp);
    CHECK(l.seccomp->defaultAction == "SCMP_ACT_ERRNO");
    CHECK(l.seccompStack.empty());  // docklock's own profile already denies the never-allowed calls
    CHECK(l.maskedPaths.size() >= 10);
    CHECK(l.readonlyPaths.size() >= 5);
    CHECK(l.devices.size() < 10);
    REQUIRE(l.resources);
    CHECK(l.resources->pidsLimit == 4096);
    CHECK(find(r, "privileged", "changed"));
    for (const auto& m : r.spec.mounts)
        if (m.type == "sysfs" || m.type == "cgroup") CHECK(std::count(m.options.begin(), m.options.end(), "ro") == 1);
}

TEST_CASE("policy: Docker's default profile is kept with the never-allowed filter stacked") {
    spec::Spec s = fixture("default");
    policy::Result r = policy::apply(s, policy::builtin(), host());
    REQUIRE(r.spec.linux->seccomp);
    CHECK(spec::to_json(*r.spec.linux->seccomp) == spec::to_json(*s.linux->seccomp));
    REQUIRE(r.spec.linux->seccompStack.size() == 1);
    const auto& never = r.spec.linux->seccompStack[0];
    CHECK(never.defaultAction == "SCMP_ACT_ALLOW");
    std::vector<std::string> denied;
    for (const auto& rule : never.syscalls)
        for (const auto& n : rule.names) denied.push_back(n);
    for (const char* n : {"io_uring_setup", "keyctl", "userfaultfd", "bpf", "perf_event_open", "open_by_handle_at", "mount",
                          "unshare", "setns", "clone3", "clone", "socket"})
        CHECK(std::count(denied.begin(), denied.end(), n) >= 1);
}

TEST_CASE("policy: seccomp=unconfined gets docklock's profile, re-evaluated for the kept capabilities") {
    policy::Policy pol = policy::builtin();
    pol.controls["capabilities"].lists["allow"].push_back("CAP_SYS_CHROOT");
    policy::Result r = policy::apply(fixture("seccomp-unconfined"), pol, host());
    REQUIRE(r.spec.linux->seccomp);
    bool chroot_allowed = false;
    for (const auto& rule : r.spec.linux->seccomp->syscalls)
        if (rule.action == "SCMP_ACT_ALLOW" && std::count(rule.names.begin(), rule.names.end(), "chroot")) chroot_allowed = true;
    CHECK(chroot_allowed);
    policy::Result plain = policy::apply(fixture("seccomp-unconfined"), policy::builtin(), host());
    for (const auto& rule : plain.spec.linux->seccomp->syscalls)
        if (rule.action == "SCMP_ACT_ALLOW") CHECK(std::count(rule.names.begin(), rule.names.end(), "chroot") == 0);
}

TEST_CASE("policy: sensitive mounts are resolved through symlinks and refused with the way out") {
    policy::Result r = policy::apply(fixture("docker-sock"), policy::builtin(), host());
    REQUIRE(r.refused());
    CHECK_THAT(r.refusal_message(), Contains("refused by control \"mounts.sensitive\""));
    CHECK_THAT(r.refusal_message(), Contains("mounts[10].source"));
    CHECK_THAT(r.refusal_message(), Contains("/run/docker.sock"));
    CHECK_THAT(r.refusal_message(), Contains("mounts.sensitive.allow"));
    // in audit mode it runs, and says so
    policy::Policy audit = policy::builtin();
    audit.controls["mounts.sensitive"].mode = policy::Mode::Audit;
    policy::Result a = policy::apply(fixture("docker-sock"), audit, host());
    CHECK_FALSE(a.refused());
    CHECK(find(a, "mounts.sensitive", "audit"));
}

TEST_CASE("policy: a read-only sensitive bind is made read-only") {
    spec::Spec s = fixture("default");
    {
        spec::Mount mt;
        mt.destination = "/host-etc";
        mt.type = "bind";
        mt.source = "/etc/./";
        mt.options = {"rbind"};
        s.mounts.push_back(mt);
    }
    policy::Result r = policy::apply(s, policy::builtin(), host());
    REQUIRE_FALSE(r.refused());
    const auto& m = r.spec.mounts.back();
    CHECK(std::count(m.options.begin(), m.options.end(), "ro") == 1);
    CHECK(std::count(m.options.begin(), m.options.end(), "nosuid") == 1);
    CHECK(std::count(m.options.begin(), m.options.end(), "nodev") == 1);
}

TEST_CASE("policy: host pid and ipc namespaces are refused, host net and uts audited") {
    policy::Result r = policy::apply(fixture("host-ns"), policy::builtin(), host());
    REQUIRE(r.refused());
    CHECK(find(r, "namespaces.pid", "refused"));
    CHECK(find(r, "namespaces.ipc", "refused"));
    CHECK(find(r, "namespaces.uts", "audit"));
}

TEST_CASE("policy: sysctls outside the namespaced ones are refused - net.* needs a private netns") {
    spec::Spec s = fixture("default");
    s.linux->sysctl["net.ipv4.ip_unprivileged_port_start"] = "0";
    s.linux->sysctl["kernel.shmmax"] = "1000000";
    CHECK_FALSE(policy::apply(s, policy::builtin(), host()).refused());
    s.linux->sysctl["kernel.panic"] = "1";
    policy::Result r = policy::apply(s, policy::builtin(), host());
    REQUIRE(r.refused());
    CHECK_THAT(r.refusal_message(), Contains("linux.sysctl.kernel.panic"));
}

TEST_CASE("policy: hooks are judged by the executable, /proc/<pid>/exe included") {
    policy::Result ok = policy::apply(fixture("bridge-network"), policy::builtin(), host());
    CHECK_FALSE(ok.refused());
    REQUIRE(ok.spec.hooks.prestart.size() == 1);
    spec::Spec s = fixture("bridge-network");
    s.hooks.prestart[0].path = "/proc/999/exe";  // not a process we know: cannot be resolved
    policy::Result r = policy::apply(s, policy::builtin(), host());
    REQUIRE(r.refused());
    CHECK_THAT(r.refusal_message(), Contains("hooks.prestart[0].path"));
}

TEST_CASE("policy: devices outside the baseline are refused") {
    spec::Spec s = fixture("default");
    s.linux->devices.push_back({"c", "/dev/fuse", 10, 229, std::nullopt, std::nullopt, std::nullopt});
    policy::Result r = policy::apply(s, policy::builtin(), host());
    REQUIRE(r.refused());
    CHECK_THAT(r.refusal_message(), Contains("/dev/fuse"));
}

namespace {
bool is_deny_all(const spec::DeviceRule& d) {
    return !d.allow && (d.type.empty() || d.type == "a") && d.access == "rwm";
}
}  // namespace

TEST_CASE("policy: the device cgroup is default-deny whatever the rules (none, deny-only, no linux.resources)") {
    SECTION("no linux.resources") {
        spec::Spec s = fixture("default");
        s.linux->resources.reset();
        policy::Result r = policy::apply(s, policy::builtin(), host());
        REQUIRE_FALSE(r.refused());
        REQUIRE(r.spec.linux->resources);
        const auto& d = r.spec.linux->resources->devices;
        REQUIRE(d.size() == 1);
        CHECK(is_deny_all(d[0]));
        const policy::Finding* f = find(r, "devices", "changed");
        REQUIRE(f);
        CHECK(f->field == "linux.resources.devices");
        CHECK_THAT(f->requested, Contains("no rules"));
    }
    SECTION("deny-only rules keep their denies after the deny-all") {
        spec::Spec s = fixture("default");
        s.linux->resources->devices = {{false, "c", 10, 237, "rwm"}, {false, "b", 7, std::nullopt, "rw"}};
        policy::Result r = policy::apply(s, policy::builtin(), host());
        REQUIRE_FALSE(r.refused());
        const auto& d = r.spec.linux->resources->devices;
        REQUIRE(d.size() == 3);
        CHECK(is_deny_all(d[0]));
        CHECK(d[1].major == 10);
        CHECK(d[2].type == "b");
        REQUIRE(find(r, "devices", "changed"));
        CHECK_THAT(find(r, "devices", "changed")->requested, Contains("2 rules, no deny-all"));
    }
    SECTION("allowed rules without a deny-all: kept after it; a rule for another device is dropped (enforce)") {
        spec::Spec s = fixture("default");
        s.linux->resources->devices = {{true, "c", 1, 3, "rwm"}, {true, "c", 10, 237, "rwm"}};
        policy::Result r = policy::apply(s, policy::load_string("controls:\n  devices: enforce\n", "x.yaml"), host());
        REQUIRE_FALSE(r.refused());
        const auto& d = r.spec.linux->resources->devices;
        REQUIRE(d.size() == 2);
        CHECK(is_deny_all(d[0]));
        CHECK((d[1].allow && d[1].major == 1 && d[1].minor == 3));
        size_t devices_findings = 0;
        for (const auto& f : r.findings) devices_findings += f.control == "devices";
        CHECK(devices_findings == 2);  // the dropped rule and the deny-all
    }
    SECTION("Docker's rules already start from deny-all: unchanged, no finding") {
        spec::Spec s = fixture("default");
        REQUIRE(is_deny_all(s.linux->resources->devices.at(0)));
        policy::Result r = policy::apply(s, policy::builtin(), host());
        const auto &after = r.spec.linux->resources->devices, &before = s.linux->resources->devices;
        REQUIRE(after.size() == before.size());
        for (size_t i = 0; i < after.size(); ++i)
            CHECK((after[i].allow == before[i].allow && after[i].type == before[i].type && after[i].major == before[i].major &&
                   after[i].minor == before[i].minor && after[i].access == before[i].access));
        CHECK_FALSE(find(r, "devices"));
    }
    SECTION("privileged: the allow-all becomes deny-all and the baseline devices") {
        spec::Spec s = fixture("privileged");
        policy::Result r = policy::apply(s, policy::builtin(), host());
        REQUIRE_FALSE(r.refused());
        const auto& d = r.spec.linux->resources->devices;
        REQUIRE(d.size() > 1);
        CHECK(is_deny_all(d[0]));
        for (size_t i = 1; i < d.size(); ++i) CHECK(d[i].allow);
    }
    SECTION("policy off: the spec is left alone (the runtime still starts the cgroup from deny-all)") {
        spec::Spec s = fixture("default");
        s.linux->resources.reset();
        CHECK_FALSE(policy::apply(s, policy::off(), host()).spec.linux->resources);
    }
}

TEST_CASE("policy: only an annotation the policy names as trusted opens an exception") {
    policy::Policy p = policy::load_string(
        "exceptions:\n  - annotation: org.example/net-admin\n    value: \"yes\"\n    control: capabilities\n"
        "    allow: [CAP_NET_ADMIN]\n",
        "x.yaml");
    spec::Spec s = fixture("capadd-all");
    policy::Result plain = policy::apply(s, p, host());
    CHECK(std::count(plain.spec.process->capabilities->bounding.begin(), plain.spec.process->capabilities->bounding.end(),
                     "CAP_NET_ADMIN") == 0);
    s.annotations["org.example/net-admin"] = "no";
    policy::Result wrong = policy::apply(s, p, host());
    CHECK(std::count(wrong.spec.process->capabilities->bounding.begin(), wrong.spec.process->capabilities->bounding.end(),
                     "CAP_NET_ADMIN") == 0);
    s.annotations["org.example/net-admin"] = "yes";
    policy::Result yes = policy::apply(s, p, host());
    const auto& b = yes.spec.process->capabilities->bounding;
    CHECK(std::count(b.begin(), b.end(), "CAP_NET_ADMIN") == 1);
    CHECK(std::count(b.begin(), b.end(), "CAP_SYS_ADMIN") == 0);  // never, whatever the annotation
    // an annotation the client invents changes nothing
    s.annotations = {{"org.docklock.policy", "off"}, {"docklock.capabilities", "ALL"}};
    CHECK(policy::apply(s, p, host()).spec.process->capabilities->bounding == baseline_caps());
}

TEST_CASE("policy: exec gets the process rules of the baseline") {
    spec::Process p = *fixture("privileged").process;
    std::vector<policy::Finding> findings;
    spec::Process out = policy::apply_to_process(p, policy::builtin(), host(), findings);
    CHECK(out.capabilities->bounding == baseline_caps());
    CHECK(out.noNewPrivileges);
    CHECK_FALSE(findings.empty());
}

TEST_CASE("policy: exec as root into a container with a user namespace is not the host's root") {
    spec::Process p = *fixture("default").process;
    p.user.uid = 0;
    auto root_findings = [&](const spec::Linux* container) {
        std::vector<policy::Finding> findings;
        policy::apply_to_process(p, policy::builtin(), host(), findings, {}, container);
        return std::count_if(findings.begin(), findings.end(), [](const policy::Finding& f) { return f.control == "user.root"; });
    };
    CHECK(root_findings(nullptr) == 1);
    spec::Linux remapped;
    remapped.namespaces.push_back({"user", "", -1});
    remapped.uidMappings.push_back({0, 300000, 65536});
    CHECK(root_findings(&remapped) == 0);
    spec::Linux identity = remapped;  // a user namespace mapping 0 to the host's 0 is the host's root
    identity.uidMappings = {{0, 0, 65536}};
    CHECK(root_findings(&identity) == 1);
}

TEST_CASE("policy: capabilities outside the runtime's own bounding set are dropped with a finding") {
    policy::HostFacts h = host();
    h.bounding = ~(1ULL << 24);  // CAP_SYS_RESOURCE, as on our CI hosts
    policy::Result r = policy::apply(fixture("capadd-all"), policy::off(), h);
    const auto& b = r.spec.process->capabilities->bounding;
    CHECK(std::count(b.begin(), b.end(), "CAP_SYS_RESOURCE") == 0);
    CHECK(std::count(b.begin(), b.end(), "CAP_SYS_ADMIN") == 1);  // policy off: the rest is kept
    CHECK_FALSE(r.findings.empty());
}

TEST_CASE("policy: the engine is deterministic and leaves its input alone") {
    spec::Spec s = fixture("privileged");
    auto before = spec::to_json(s);
    policy::Result a = policy::apply(s, policy::builtin(), host());
    policy::Result b = policy::apply(s, policy::builtin(), host());
    CHECK(spec::to_json(s) == before);
    CHECK(spec::to_json(a.spec) == spec::to_json(b.spec));
    CHECK(policy::check_report(a, policy::builtin()) == policy::check_report(b, policy::builtin()));
}

namespace {

// A host with subordinate ids for "docklock" (100000-165535) and a rootfs that takes idmapped mounts.
policy::HostFacts host_with_subids(const std::string& rootfs_obstacle = "") {
    policy::HostFacts h = host();
    h.subids = [](const std::string& file, const std::string& user) {
        std::vector<std::pair<uint32_t, uint32_t>> none;
        if (user != "docklock") return none;
        if (file == "/etc/subuid") return std::vector<std::pair<uint32_t, uint32_t>>{{100000, 65536}, {300000, 10}};
        if (file == "/etc/subgid") return std::vector<std::pair<uint32_t, uint32_t>>{{200000, 65536}};
        return none;
    };
    h.rootfs_idmap = [rootfs_obstacle](const std::string& p) {
        return p == "/bundle/rootfs" ? rootfs_obstacle : "no such rootfs";
    };
    h.bundle = "/bundle";
    return h;
}

spec::Spec plain() {
    spec::Spec s = fixture("default");
    s.root.path = "rootfs";
    return s;
}

}  // namespace

TEST_CASE("policy: userns remap adds a user namespace over the first subordinate range and asks for an idmapped rootfs") {
    policy::Result r = policy::apply(plain(), policy::builtin(), host_with_subids());
    REQUIRE_FALSE(r.refused());
    const auto* n = r.spec.linux->find_namespace("user");
    REQUIRE(n);
    CHECK(n->path.empty());
    REQUIRE(r.spec.linux->uidMappings.size() == 1);
    CHECK(r.spec.linux->uidMappings[0].containerID == 0);
    CHECK(r.spec.linux->uidMappings[0].hostID == 100000);
    CHECK(r.spec.linux->uidMappings[0].size == 65536);
    REQUIRE(r.spec.linux->gidMappings.size() == 1);
    CHECK(r.spec.linux->gidMappings[0].hostID == 200000);
    CHECK(r.spec.annotations.at("org.docklock.userns.idmap-rootfs") == "true");
    const auto* f = find(r, "userns", "changed");
    REQUIRE(f);
    CHECK_THAT(f->applied, Contains("host uids 100000-165535 and gids 200000-265535"));
    // container root is no longer the host's: user.root (audit) has nothing to say
    CHECK_FALSE(find(r, "user.root"));
    // Docker's ping_group_range names gids the user namespace does not map (the kernel says EINVAL)
    CHECK(r.spec.linux->sysctl.at("net.ipv4.ping_group_range") == "0 65535");
}

TEST_CASE("policy: under the remap the engine's per-container binds are idmapped and other host paths are not") {
    spec::Spec s = plain();  // Docker's default: resolv.conf, hostname, hosts from /var/lib/docker/containers/<id>
    auto bind = [](const std::string& src, const std::string& dst) {
        spec::Mount m;
        m.destination = dst;
        m.type = "bind";
        m.source = src;
        m.options = {"rbind", "rw"};
        return m;
    };
    s.mounts.push_back(bind("/var/lib/docker/volumes/vol/_data", "/vol"));
    s.mounts.push_back(bind("/var/lib/docker/volumes/onfuse/_data", "/fuse"));
    s.mounts.push_back(bind("/home/user/src", "/src"));
    spec::Mount own = bind("/var/lib/docker/volumes/own/_data", "/own");
    own.options.push_back("idmap");  // the client's own idmapping is left as it is
    s.mounts.push_back(own);
    policy::HostFacts h = host_with_subids();
    h.bind_idmap = [](const std::string& p) {
        return p == "/var/lib/docker/volumes/onfuse/_data" ? std::string("it is on fuse") : std::string();
    };
    policy::Result r = policy::apply(s, policy::builtin(), h);
    REQUIRE(r.spec.linux->find_namespace("user"));
    auto idmapped = [&](const std::string& dst) {
        for (const auto& m : r.spec.mounts)
            if (m.destination == dst) return std::count(m.options.begin(), m.options.end(), "idmap");
        return std::ptrdiff_t{-1};
    };
    for (const char* d : {"/etc/resolv.conf", "/etc/hostname", "/etc/hosts", "/vol", "/own"}) {
        INFO(d);
        CHECK(idmapped(d) == 1);
    }
    CHECK(idmapped("/fuse") == 0);
    CHECK(idmapped("/src") == 0);
    int infos = 0;
    for (const auto& f : r.findings) {
        if (f.control != "userns" || f.action != "info") continue;
        ++infos;
        if (f.requested == "/home/user/src") CHECK_THAT(f.reason, Contains("outside userns.idmap"));
        if (f.requested == "/var/lib/docker/volumes/onfuse/_data") CHECK_THAT(f.reason, Contains("it is on fuse"));
    }
    CHECK(infos == 2);
    bool summary = false;
    for (const auto& f : r.findings)
        if (f.control == "userns" && f.field == "mounts") {
            summary = true;
            CHECK(f.applied == "idmapped: /etc/resolv.conf, /etc/hostname, /etc/hosts, /vol");
        }
    CHECK(summary);
    // Without the remap nothing is idmapped.
    r = policy::apply(s, policy::builtin(), host());
    CHECK(idmapped("/vol") == 0);
}

TEST_CASE("policy: userns remap without subordinate ids or with an obstacle leaves the container alone with a finding") {
    policy::HostFacts h = host();  // no subids at all
    policy::Result r = policy::apply(plain(), policy::builtin(), h);
    CHECK_FALSE(r.spec.linux->find_namespace("user"));
    const auto* f = find(r, "userns", "info");
    REQUIRE(f);
    CHECK(f->field == "linux.namespaces");
    CHECK_THAT(f->reason, Contains("no subordinate uids for user \"docklock\" in /etc/subuid"));

    r = policy::apply(plain(), policy::builtin(), host_with_subids("the rootfs is a directory inside an overlay"));
    CHECK_FALSE(r.spec.linux->find_namespace("user"));
    CHECK_FALSE(r.spec.annotations.count("org.docklock.userns.idmap-rootfs"));
    f = find(r, "userns", "info");
    REQUIRE(f);
    CHECK_THAT(f->reason, Contains("cannot be remapped: the rootfs is a directory inside an overlay"));

    spec::Spec s = plain();
    s.process->user.uid = 70000;  // outside the 65536 mapped ids
    r = policy::apply(s, policy::builtin(), host_with_subids());
    CHECK_FALSE(r.spec.linux->find_namespace("user"));
    CHECK_THAT(find(r, "userns", "info")->reason, Contains("process.user.uid 70000 is outside the mapped range"));

    s = plain();  // the host's pid namespace cannot get a proc mount from a new user namespace
    auto& ns = s.linux->namespaces;
    ns.erase(std::remove_if(ns.begin(), ns.end(), [](const spec::Namespace& n) { return n.type == "pid"; }), ns.end());
    r = policy::apply(s, policy::builtin(), host_with_subids());
    CHECK_FALSE(r.spec.linux->find_namespace("user"));
    CHECK_THAT(find(r, "userns", "info")->reason, Contains("the pid namespace is not the container's own"));
}

TEST_CASE("policy: userns takes its user and files from the policy and can refuse what it cannot remap") {
    policy::Policy p = policy::load_string(
        "controls:\n  userns: {mode: enforce, user: other, subuid: /x/subuid, subgid: /x/subgid, unavailable: reject}\n",
        "/etc/docklock/policy.yaml");
    policy::HostFacts h = host_with_subids();
    policy::Result r = policy::apply(plain(), p, h);  // "other" has no ranges
    CHECK(r.refused());
    CHECK_THAT(r.refusal_message(), Contains("no subordinate uids for user \"other\" in /x/subuid"));
    h.subids = [](const std::string& file, const std::string& user) {
        std::vector<std::pair<uint32_t, uint32_t>> v;
        if (user == "other" && file.rfind("/x/", 0) == 0) v.emplace_back(500000, 1000);
        return v;
    };
    r = policy::apply(plain(), p, h);
    REQUIRE_FALSE(r.refused());
    REQUIRE(r.spec.linux->uidMappings.size() == 1);
    CHECK(r.spec.linux->uidMappings[0].hostID == 500000);
    CHECK(r.spec.linux->uidMappings[0].size == 1000);
}

TEST_CASE("policy: userns reject requires a user namespace and a client cannot ask for the idmapped rootfs itself") {
    policy::Policy p = policy::load_string("controls:\n  userns: reject\n", "/etc/docklock/policy.yaml");
    spec::Spec s = plain();
    policy::Result r = policy::apply(s, p, host_with_subids());
    CHECK(r.refused());
    CHECK_THAT(r.refusal_message(), Contains("has no user namespace"));
    s.linux->namespaces.push_back({"user", "", -1});
    s.linux->uidMappings = {{0, 100000, 65536}};
    s.linux->gidMappings = {{0, 100000, 65536}};
    s.annotations["org.docklock.userns.idmap-rootfs"] = "true";
    r = policy::apply(s, p, host_with_subids());
    CHECK_FALSE(r.refused());
    CHECK_FALSE(r.spec.annotations.count("org.docklock.userns.idmap-rootfs"));
    CHECK(find(r, "userns", "changed"));
    CHECK(r.spec.linux->uidMappings[0].hostID == 100000);  // the client's own namespace is kept as asked
}
