// The hardening toolkit on real containers: `audit` of a running container's stored (effective)
// config, and `profile record` of a busybox workload under a SCMP_ACT_NOTIFY filter.
#include <catch2/catch.hpp>
#include <fstream>
#include <set>

#include "harness.hpp"

using namespace harness;
using nlohmann::json;

namespace {

std::string result_of(const json& report, const std::string& id) {
    for (const auto& c : report["checks"])
        if (c["id"] == id) return c["result"];
    return "";
}

}  // namespace

TEST_CASE("audit: a running container is judged by the config the policy let run") {
    require_root();
    UsePolicy p("builtin");
    Bundle b;
    b.args({"sleep", "60"});
    b.config["root"]["readonly"] = false;
    b.config["process"]["noNewPrivileges"] = false;
    REQUIRE(b.run({"-d"}).code == 0);

    Result eff = docklock({"audit", "--format", "json", b.id});
    REQUIRE(eff.code == 0);
    json e = json::parse(eff.out);
    CHECK(e["mode"] == "effective");
    CHECK(result_of(e, "5.26") == "PASS");  // the baseline set no_new_privs
    CHECK(result_of(e, "5.29") == "PASS");  // and a pids limit
    CHECK(result_of(e, "5.22") == "PASS");  // and its seccomp profile

    Result req = docklock({"audit", "--requested", "--format", "json", b.id});
    REQUIRE(req.code == 0);
    json r = json::parse(req.out);
    CHECK(r["mode"] == "requested");
    CHECK(result_of(r, "5.26") == "WARN");
    CHECK(result_of(r, "5.29") == "WARN");

    Result all = docklock({"audit", "--all", "--format", "json"});
    REQUIRE(all.code == 0);
    bool found = false;
    for (const auto& x : json::parse(all.out)) found = found || x["subject"] == b.id;
    CHECK(found);
    CHECK(docklock({"audit", "--strict", b.id}).code == 1);  // read-only rootfs, memory, ... still WARN
}
