// The policy engine: unix socket binds judged by their listener (mounts.sockets), lexical facts.
#include <algorithm>
#include <catch2/catch.hpp>

#include "policy_helpers.hpp"

using namespace docklock;
using namespace policy_test;
using Catch::Contains;

namespace {

// The default fixture with one more bind mount of `source`.
spec::Spec with_bind(const std::string& source) {
    spec::Spec s = fixture("default");
    spec::Mount m;
    m.destination = "/run/engine.sock";
    m.type = "bind";
    m.source = source;
    m.options = {"rbind", "rprivate"};
    s.mounts.push_back(m);
    return s;
}

// A host with unix sockets, described the way `policy check --host FILE` reads them.
policy::HostFacts socket_host() {
    return policy::HostFacts::from_json(nlohmann::json::parse(R"({
        "symlinks": {"/var/run": "/run"},
        "sockets": {"/srv/tools/dockerd-hidden.sock": {"listener_uid": 0, "listener": "dockerd", "pid": 812},
                    "/var/run/app/api.sock": {"listener_uid": 100000, "listener": "app", "pid": 900},
                    "/srv/syslog.sock": {"listener_uid": 0, "listener": "rsyslogd"},
                    "/srv/stale.sock": {}}})"),
                                        "host.json");
}

const policy::Finding* finding_on(const policy::Result& r, const std::string& control, const std::string& source) {
    for (const auto& f : r.findings)
        if (f.control == control && f.requested == source) return &f;
    return nullptr;
}

}  // namespace

TEST_CASE("policy: a socket a host root process listens on is refused at any path, under any name", "[sockets]") {
    policy::Result r = policy::apply(with_bind("/srv/tools/dockerd-hidden.sock"), policy::builtin(), socket_host());
    REQUIRE(r.refused());
    CHECK_THAT(r.refusal_message(), Contains("refused by control \"mounts.sockets\""));
    CHECK_THAT(r.refusal_message(), Contains("dockerd (pid 812) runs as the host's root"));
    CHECK_THAT(r.refusal_message(), Contains("mounts.sockets.allow"));
    CHECK_FALSE(find(r, "mounts.sensitive", "refused"));  // no path rule knew it
    // enforce: the mount is dropped; audit: it runs, and says so
    policy::Policy p = policy::builtin();
    p.controls["mounts.sockets"].mode = policy::Mode::Enforce;
    policy::Result e = policy::apply(with_bind("/srv/tools/dockerd-hidden.sock"), p, socket_host());
    CHECK_FALSE(e.refused());
    CHECK(std::none_of(e.spec.mounts.begin(), e.spec.mounts.end(),
                       [](const spec::Mount& m) { return m.source == "/srv/tools/dockerd-hidden.sock"; }));
    p.controls["mounts.sockets"].mode = policy::Mode::Audit;
    policy::Result a = policy::apply(with_bind("/srv/tools/dockerd-hidden.sock"), p, socket_host());
    CHECK_FALSE(a.refused());
    CHECK(find(a, "mounts.sockets", "audit"));
}

TEST_CASE("policy: a socket whose listener is not host root is bound", "[sockets]") {
    // spelled through a symlink of the described host
    policy::Result r = policy::apply(with_bind("/var/run/app/api.sock"), policy::builtin(), socket_host());
    CHECK_FALSE(r.refused());
    CHECK_FALSE(finding_on(r, "mounts.sockets", "/var/run/app/api.sock"));
}

TEST_CASE("policy: an allowed socket path is bound whoever listens", "[sockets]") {
    policy::Policy p =
        policy::load_string("controls:\n  mounts.sockets:\n    mode: reject\n    allow: [/srv/syslog.sock]\n", "p.yaml");
    CHECK_FALSE(policy::apply(with_bind("/srv/syslog.sock"), p, socket_host()).refused());
    CHECK(policy::apply(with_bind("/srv/syslog.sock"), policy::builtin(), socket_host()).refused());
    // the allow list is of paths, not a blanket: another root socket is still refused
    CHECK(policy::apply(with_bind("/srv/tools/dockerd-hidden.sock"), p, socket_host()).refused());
}

TEST_CASE("policy: a socket whose listener cannot be found is refused (fail closed)", "[sockets]") {
    policy::Result r = policy::apply(with_bind("/srv/stale.sock"), policy::builtin(), socket_host());
    REQUIRE(r.refused());
    CHECK_THAT(r.refusal_message(), Contains("refused by control \"mounts.sockets\""));
    CHECK_THAT(r.refusal_message(), Contains("listener cannot be determined"));
    // not a socket: the control has nothing to say
    CHECK_FALSE(
        finding_on(policy::apply(with_bind("/srv/data"), policy::builtin(), socket_host()), "mounts.sockets", "/srv/data"));
    // off: nothing is judged
    policy::Policy p = policy::builtin();
    p.controls["mounts.sockets"].mode = policy::Mode::Off;
    CHECK_FALSE(policy::apply(with_bind("/srv/stale.sock"), p, socket_host()).refused());
}

TEST_CASE("policy: a host file's sockets are checked", "[sockets]") {
    CHECK_THROWS_WITH(policy::HostFacts::from_json(nlohmann::json::parse(R"({"sockets": {"/x": 0}})"), "h.json"),
                      Contains("sockets: /x: expected an object"));
}
