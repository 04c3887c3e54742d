// `docklock audit` as a pure function: config.json (+ host facts) -> one result per CIS Docker
// Benchmark v1.6.0 section 5 control. The fixtures' full outputs are golden files
// (test/golden/audit); these pin the rules control by control.
#include <catch2/catch.hpp>

#include <algorithm>

#include "libcontainer/audit/audit.hpp"
#include "libcontainer/spec/default_spec.hpp"

using namespace docklock;
using Catch::Contains;

namespace {

spec::Spec base() {
    return spec::parse_spec_json(spec::default_config(false));  // runc's `spec` template
}

const audit::Check& get(const std::vector<audit::Check>& cs, const std::string& id) {
    for (const auto& c : cs)
        if (c.id == id) return c;
    FAIL("no control " << id);
    throw;
}

policy::HostFacts host() {
    policy::HostFacts h;
    h.resolve = [](const std::string& p) { return p.rfind("/var/run/", 0) == 0 ? "/run/" + p.substr(9) : p; };
    h.is_host_namespace = [](const std::string& t, const std::string& p) { return t == "network" && p == "/proc/1/ns/net"; };
    return h;
}

}  // namespace

TEST_CASE("audit lists every section 5 control once and in order", "[audit]") {
    auto cs = audit::evaluate(base(), host());
    REQUIRE(cs.size() == 32);
    for (size_t i = 0; i < cs.size(); ++i) {
        CHECK(cs[i].id == "5." + std::to_string(i + 1));
        CHECK(cs[i].title == audit::controls()[i].title);
        if (!audit::controls()[i].visible) CHECK(cs[i].result == "INFO");
    }
    CHECK(get(cs, "5.2").title == "Ensure that, if applicable, an AppArmor Profile is enabled");
    CHECK(get(cs, "5.32").title == "Ensure that the Docker socket is not mounted inside any containers");
}

TEST_CASE("audit of runc's spec template", "[audit]") {
    auto cs = audit::evaluate(base(), host());
    CHECK(get(cs, "5.4").result == "PASS");   // AUDIT_WRITE KILL NET_BIND_SERVICE
    CHECK(get(cs, "5.10").result == "PASS");  // new network namespace
    CHECK(get(cs, "5.13").result == "PASS");  // runc's template is read-only
    CHECK(get(cs, "5.26").result == "PASS");
    CHECK(get(cs, "5.11").result == "WARN");
    CHECK(get(cs, "5.22").result == "WARN");  // no seccomp in the template
    CHECK(get(cs, "5.31").result == "WARN");
    CHECK_THAT(get(cs, "5.31").detail, Contains("no user namespace"));
}

TEST_CASE("audit flags what a hostile config asks for", "[audit]") {
    spec::Spec s = base();
    auto& l = *s.linux;
    s.process->capabilities->bounding.push_back("CAP_SYS_ADMIN");
    s.process->apparmorProfile = "unconfined";
    s.process->noNewPrivileges = false;
    s.root.readonly = false;
    {
        spec::Mount mt;
        mt.destination = "/var/run/docker.sock";
        mt.type = "bind";
        mt.source = "/var/run/docker.sock";
        mt.options = {"rbind"};
        s.mounts.push_back(mt);
    }
    {
        spec::Mount mt;
        mt.destination = "/host-etc";
        mt.type = "bind";
        mt.source = "/etc";
        mt.options = {"rbind", "rshared"};
        s.mounts.push_back(mt);
    }
    l.namespaces.erase(std::remove_if(l.namespaces.begin(), l.namespaces.end(),
                                      [](const spec::Namespace& n) { return n.type == "pid" || n.type == "ipc"; }),
                       l.namespaces.end());
    for (auto& n : l.namespaces)
        if (n.type == "network") n.path = "/proc/1/ns/net";
    l.devices.push_back({"c", "/dev/sda", 8, 0, {}, {}, {}});
    l.seccomp = spec::Seccomp{"SCMP_ACT_ALLOW", {}, {}, {}, "", "", {}};
    auto cs = audit::evaluate(s, host());
    CHECK(get(cs, "5.2").result == "WARN");
    CHECK(get(cs, "5.3").result == "WARN");
    CHECK_THAT(get(cs, "5.4").detail, Contains("CAP_SYS_ADMIN"));
    CHECK(get(cs, "5.6").result == "WARN");
    CHECK_THAT(get(cs, "5.6").detail, Contains("/etc (read-write)"));
    CHECK(get(cs, "5.10").result == "WARN");
    CHECK_THAT(get(cs, "5.10").detail, Contains("/proc/1/ns/net"));
    CHECK(get(cs, "5.13").result == "WARN");
    CHECK(get(cs, "5.16").result == "WARN");
    CHECK(get(cs, "5.17").result == "WARN");
    CHECK(get(cs, "5.18").result == "WARN");
    CHECK_THAT(get(cs, "5.18").detail, Contains("/dev/sda"));
    CHECK(get(cs, "5.20").result == "WARN");
    CHECK(get(cs, "5.21").result == "PASS");
    CHECK(get(cs, "5.22").result == "WARN");
    CHECK(get(cs, "5.26").result == "WARN");
    CHECK(get(cs, "5.32").result == "WARN");
    CHECK_THAT(get(cs, "5.32").detail, Contains("/var/run/docker.sock (/run/docker.sock)"));
}

TEST_CASE("audit passes limits and confinement", "[audit]") {
    spec::Spec s = base();
    s.process->apparmorProfile = "docklock-default";
    auto& r = s.linux->resources.emplace();
    r.memory = spec::Memory{};
    r.memory->limit = 64 << 20;
    r.cpu = spec::Cpu{};
    r.cpu->quota = 50000;
    r.pidsLimit = 100;
    s.linux->namespaces.push_back({"user", "", -1});
    s.linux->uidMappings.push_back({0, 100000, 65536});
    {
        spec::Mount mt;
        mt.destination = "/host";
        mt.type = "bind";
        mt.source = "/";
        mt.options = {"rbind", "ro"};
        s.mounts.push_back(mt);
    }
    auto cs = audit::evaluate(s, host());
    CHECK(get(cs, "5.2").result == "PASS");
    CHECK(get(cs, "5.3").result == "INFO");
    CHECK(get(cs, "5.11").detail == "memory limit 64 MiB");
    CHECK(get(cs, "5.12").result == "PASS");
    CHECK(get(cs, "5.29").result == "PASS");
    CHECK(get(cs, "5.31").detail == "a new user namespace: uid 0 is host uid 100000");
    // A read-only bind of the host's root still exposes it, and with it the engine's socket.
    CHECK(get(cs, "5.6").result == "WARN");
    CHECK_THAT(get(cs, "5.32").detail, Contains("contains /run/docker.sock"));
}

TEST_CASE("audit report: json and table agree and --strict looks at WARN only", "[audit]") {
    audit::Report r;
    r.subject = "x.json";
    r.mode = "requested";
    r.checks = audit::evaluate(base(), host());
    auto j = r.to_json();
    CHECK(j["checks"].size() == 32);
    CHECK(j["summary"]["PASS"].get<int>() + j["summary"]["WARN"].get<int>() + j["summary"]["INFO"].get<int>() == 32);
    CHECK(r.any_warn());
    CHECK_THAT(r.to_table(), Contains("x.json (requested config): "));
    audit::Report refused{"y.json", "effective", "builtin", true, "policy: refused by control \"x\"", {}};
    CHECK(refused.to_json()["refused"] == true);
    CHECK_THAT(refused.to_table(), Contains("REFUSED"));
    CHECK_FALSE(refused.any_warn());
}
