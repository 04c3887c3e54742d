// The policy engine: seccomp.profile and the compiled-in default profile.
#include <algorithm>
#include <catch2/catch.hpp>

#include "policy_helpers.hpp"

using namespace docklock;
using namespace policy_test;
using Catch::Contains;

namespace {

// A temporary directory for profile files, removed at the end of the test.
struct TempDir {
    std::string path;
    TempDir() {
        char t[] = "/tmp/docklock-policy-test-XXXXXX";
        path = ::mkdtemp(t);
    }
    ~TempDir() { std::system(("rm -rf " + path).c_str()); }
    std::string file(const std::string& name, const std::string& text) const {
        std::string p = path + "/" + name;
        fs::write_file_atomic(p, text, 0644);
        return p;
    }
};

std::vector<std::string> allowed(const spec::Seccomp& s) {
    std::vector<std::string> out;
    for (const auto& r : s.syscalls)
        if (r.action == "SCMP_ACT_ALLOW") out.insert(out.end(), r.names.begin(), r.names.end());
    std::sort(out.begin(), out.end());
    return out;
}

const char* const kRecorded = R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
  "architectures": ["SCMP_ARCH_X86_64"],
  "syscalls": [{"names": ["execve", "keyctl", "read", "unshare", "write"], "action": "SCMP_ACT_ALLOW"}]})";

}  // namespace

TEST_CASE("policy: seccomp.profile replaces a missing or unconfined profile and the never-allowed filter stays stacked") {
    TempDir d;
    std::string prof = d.file("app.json", kRecorded);
    policy::Policy pol = policy::load_string("controls:\n  seccomp:\n    profile: " + prof + "\n", "A.yaml");
    CHECK(pol.control("seccomp").str("profile") == prof);
    CHECK(pol.control("seccomp").mode == policy::Mode::Enforce);  // the builtin's, kept

    policy::Result r = policy::apply(fixture("seccomp-unconfined"), pol, host());
    REQUIRE(r.spec.linux->seccomp);
    CHECK(r.spec.linux->seccomp->defaultAction == "SCMP_ACT_ERRNO");
    CHECK(allowed(*r.spec.linux->seccomp) == std::vector<std::string>{"execve", "keyctl", "read", "unshare", "write"});
    REQUIRE(r.spec.linux->seccompStack.size() == 1);  // keyctl and unshare stay denied by it
    std::vector<std::string> denied;
    for (const auto& rule : r.spec.linux->seccompStack[0].syscalls)
        if (rule.action != "SCMP_ACT_ALLOW") denied.insert(denied.end(), rule.names.begin(), rule.names.end());
    CHECK(std::count(denied.begin(), denied.end(), "keyctl") == 1);
    CHECK(std::count(denied.begin(), denied.end(), "unshare") == 1);
    const policy::Finding* f = find(r, "seccomp");
    REQUIRE(f);
    CHECK_THAT(f->applied, Contains(prof));

    // A client's own profile is kept (replace: missing, the default) ...
    spec::Spec own = fixture("default");
    policy::Result kept = policy::apply(own, pol, host());
    CHECK(spec::to_json(*kept.spec.linux->seccomp) == spec::to_json(*own.linux->seccomp));
    CHECK(kept.spec.linux->seccompStack.size() == 1);
    // ... or replaced too with replace: all.
    policy::Policy all = policy::load_string("controls:\n  seccomp: {profile: " + prof + ", replace: all}\n", "B.yaml");
    policy::Result rep = policy::apply(own, all, host());
    CHECK(allowed(*rep.spec.linux->seccomp).size() == 5);
    CHECK(rep.spec.linux->seccompStack.size() == 1);
    REQUIRE(find(rep, "seccomp"));
    CHECK_THAT(find(rep, "seccomp")->reason, Contains("replace: all"));
    // audit mode records and changes nothing; without a profile the baseline is what it was.
    policy::Policy audit = policy::load_string("controls:\n  seccomp: {mode: audit, profile: " + prof + "}\n", "C.yaml");
    CHECK_FALSE(policy::apply(fixture("seccomp-unconfined"), audit, host()).spec.linux->seccompStack.size());
    policy::Result base = policy::apply(fixture("seccomp-unconfined"), policy::builtin(), host());
    CHECK(allowed(*base.spec.linux->seccomp).size() > 100);
    CHECK(base.spec.linux->seccompStack.empty());

    // Per runtime name: each --policy file brings its own profile.
    std::string other = d.file(
        "other.json", R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]})");
    policy::Policy b = policy::load_string("controls:\n  seccomp:\n    profile: " + other + "\n", "B.yaml");
    CHECK_FALSE(b == pol);
    CHECK(allowed(*policy::apply(fixture("seccomp-unconfined"), b, host()).spec.linux->seccomp) ==
          std::vector<std::string>{"read"});
    // show prints the path; it loads again to the same policy.
    CHECK(policy::load_string(policy::to_yaml(pol), "again.yaml").seccomp_profile == pol.seccomp_profile);
}

TEST_CASE("policy: seccomp.profile reads Docker's format as dockerd would for a container without extra capabilities") {
    TempDir d;
    std::string prof = d.file("docker.json", R"({
      "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
      "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
                  {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}],
      "syscalls": [
        {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW", "args": [], "comment": "", "includes": {}, "excludes": {}},
        {"name": "getpid", "action": "SCMP_ACT_ALLOW"},
        {"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
        {"names": ["s390_pci_mmio_read"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["s390x"]}},
        {"names": ["clone"], "action": "SCMP_ACT_ALLOW", "excludes": {"caps": ["CAP_SYS_ADMIN"]},
         "args": [{"index": 0, "value": 2114060288, "op": "SCMP_CMP_MASKED_EQ"}]}]})");
    policy::Policy pol = policy::load_string("controls:\n  seccomp:\n    profile: " + prof + "\n", "A.yaml");
    spec::Seccomp s = policy::apply(fixture("seccomp-unconfined"), pol, host()).spec.linux->seccomp.value();
#if defined(__x86_64__)
    CHECK(s.architectures == std::vector<std::string>{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"});
#endif
    CHECK(allowed(s) == std::vector<std::string>{"clone", "getpid", "read", "write"});
    CHECK(s.defaultErrnoRet == 1u);
}

TEST_CASE("policy: errors in a seccomp.profile file are policy errors naming the file and the field") {
    TempDir d;
    std::string missing = d.path + "/none.json";
    std::string bad_json = d.file("bad.json", "{\"defaultAction\": ");
    std::string bad_action = d.file(
        "action.json", R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_FLY"}]})");
    std::string no_names =
        d.file("names.json", R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"action": "SCMP_ACT_ALLOW"}]})");
    std::string notify = d.file("notify.json", R"({"defaultAction": "SCMP_ACT_NOTIFY"})");
    std::string no_default = d.file("nodefault.json", R"({"syscalls": []})");
    struct Case {
        std::string yaml, want;
    };
    std::vector<Case> cases{
        {"controls:\n  seccomp:\n    profile: " + missing + "\n",
         ":3:14: controls.seccomp.profile: " + missing + ": No such file"},
        {"controls:\n  seccomp:\n    profile: " + bad_json + "\n", "controls.seccomp.profile: " + bad_json + ": not valid JSON"},
        {"controls:\n  seccomp:\n    profile: " + bad_action + "\n",
         "controls.seccomp.profile: " + bad_action + ": syscalls[0].action: unknown action \"SCMP_ACT_FLY\""},
        {"controls:\n  seccomp:\n    profile: " + no_names + "\n",
         "controls.seccomp.profile: " + no_names + ": syscalls[0].names: required"},
        {"controls:\n  seccomp:\n    profile: " + notify + "\n", notify + ": defaultAction: SCMP_ACT_NOTIFY needs an agent"},
        {"controls:\n  seccomp:\n    profile: " + no_default + "\n", no_default + ": defaultAction: required"},
        {"controls:\n  seccomp:\n    profile: app.json\n", ":3:14: controls.seccomp.profile: must be an absolute path"},
        {"controls:\n  seccomp:\n    replace: some\n", ":3:14: controls.seccomp.replace: \"some\" is not missing or all"},
        {"controls:\n  seccomp:\n    profiles: x\n",
         ":3:5: controls.seccomp.profiles: unknown key (seccomp takes mode, profile, replace)"},
    };
    for (const auto& c : cases) {
        INFO(c.yaml);
        std::string e = load_error(c.yaml);
        CHECK_THAT(e, Contains("/etc/docklock/policy.yaml:") && Contains(c.want));
        CHECK(e.find('\n') == std::string::npos);
    }
}

TEST_CASE("the compiled-in default seccomp profile is seccomp/profiles/docklock-default.json") {
    // The build turns the JSON into C++ (embed_seccomp.cmake); parsed here the run-time way, they agree.
    std::string path = std::string(SOURCE_DIR) + "/seccomp/profiles/docklock-default.json";
    nlohmann::json j{{"ociVersion", "1.0.2"},
                     {"root", {{"path", "rootfs"}}},
                     {"linux", {{"seccomp", nlohmann::json::parse(fs::read_file(path))}}}};
    spec::Seccomp parsed = *spec::parse_spec_json(j, path).linux->seccomp;
    spec::Seccomp compiled = policy::default_seccomp_profile();
    // The only change made on loading: the native architecture alone.
    REQUIRE(compiled.architectures.size() == 1);
    parsed.architectures = compiled.architectures;
    CHECK(spec::to_json(compiled) == spec::to_json(parsed));
    CHECK(compiled.syscalls.size() == parsed.syscalls.size());
}
