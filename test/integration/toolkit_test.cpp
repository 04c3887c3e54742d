// The hardening toolkit on real containers: `audit` of a running container's stored (effective)
// config, and `profile record` of a busybox workload under a SCMP_ACT_NOTIFY filter.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
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

namespace {

// Files, pipes, a TCP server and client over lo, and forks: what most busybox workloads touch.
const char* const kWorkload =
    "set -e; ip link set lo up; mkdir -p /tmp/www; echo data > /tmp/f; cp /tmp/f /tmp/www/index.html; "
    "cat /tmp/www/index.html | tr a-z A-Z | grep -q DATA; "
    "httpd -f -p 127.0.0.1:8080 -h /tmp/www & srv=$!; "
    "for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O /tmp/got http://127.0.0.1:8080/index.html && break; sleep 0.2; done; "
    "kill $srv; wait $srv || true; grep -q data /tmp/got; echo workload-ok";

std::set<std::string> names_of(const json& profile) {
    std::set<std::string> s;
    for (const auto& r : profile["syscalls"])
        if (r["action"] == "SCMP_ACT_ALLOW")
            for (const auto& n : r["names"]) s.insert(n.get<std::string>());
    return s;
}

void add_cap(Bundle& b, const std::string& cap) {
    for (const char* set : {"bounding", "effective", "permitted"}) b.config["process"]["capabilities"][set].push_back(cap);
}

}  // namespace

TEST_CASE("profile record: a busybox workload's syscalls become a profile it runs under, and nothing else") {
    require_root();
    Bundle b;
    add_cap(b, "CAP_NET_ADMIN");  // ip link set lo up
    b.sh(kWorkload);
    b.write();
    std::string out = b.dir + "/recorded.json";
    Result rec = docklock({"profile", "record", "--bundle", b.dir, "-o", out});
    INFO(rec.out << rec.err);
    REQUIRE(rec.code == 0);
    CHECK_THAT(rec.out, Catch::Contains("workload-ok"));
    json prof = json::parse(read(out));
    CHECK(prof["defaultAction"] == "SCMP_ACT_ERRNO");
    CHECK(prof["defaultErrnoRet"] == 1);
    CHECK(prof["architectures"] == json::array({"SCMP_ARCH_X86_64"}));
    // The workload's calls are the first rule; the second is what the runtime itself needs after
    // loading a filter without no_new_privs (seccomp/record.cpp), never mixed into the first.
    REQUIRE(prof["syscalls"].size() == 2);
    std::set<std::string> got;
    for (const auto& n : prof["syscalls"][0]["names"]) got.insert(n.get<std::string>());
    std::set<std::string> rt;
    for (const auto& n : prof["syscalls"][1]["names"]) rt.insert(n.get<std::string>());
    CHECK(rt.count("capset"));
    CHECK(rt.count("setresuid"));
    CHECK(rt.count("execve"));
    INFO("recorded: " << json(got).dump());
    for (const char* n : {"execve", "openat", "read", "write", "pipe2", "wait4", "socket", "bind", "listen", "connect", "kill"})
        CHECK(got.count(n));
    CHECK((got.count("clone") || got.count("fork") || got.count("vfork") || got.count("clone3")));
    CHECK((got.count("accept") || got.count("accept4")));
    // docklock's own setup before execve is not in it.
    for (const char* n : {"pivot_root", "mount", "sethostname", "setgroups", "capset", "seccomp", "unshare", "ptrace", "keyctl"})
        CHECK_FALSE(got.count(n));

    // Fewer than Docker's default profile allows.
    json docker = json::parse(read(std::string(FIXTURES_DIR) + "/default.json"))["linux"]["seccomp"];
    CHECK(got.size() < names_of(docker).size());

    // --apply, then the same workload again under it: it still works.
    Result apply = docklock({"profile", "record", "--bundle", b.dir, "--merge", out, "--apply"});
    REQUIRE(apply.code == 0);
    json cfg = json::parse(read(b.dir + "/config.json"));
    REQUIRE(cfg["linux"].contains("seccomp"));
    CHECK(names_of(cfg["linux"]["seccomp"]).size() >= got.size());
    b.config = cfg;
    Result again = b.run();
    INFO(again.out << again.err);
    CHECK(again.code == 0);
    CHECK_THAT(again.out, Catch::Contains("workload-ok"));

    // A syscall it never made is refused with EPERM; without the profile the same call works.
    b.sh("unshare -U true && echo unshare-ok");
    Result denied = b.run();
    CHECK_THAT(denied.err + denied.out, Catch::Contains("unshare(0x10000000): Operation not permitted"));
    b.config["linux"].erase("seccomp");
    Result control = b.run();
    CHECK_THAT(control.out, Catch::Contains("unshare-ok"));
}

TEST_CASE("profile record --merge unions profiles and --format docker writes Docker's format") {
    require_root();
    Bundle b;
    std::string a = b.dir + "/a.json", c = b.dir + "/c.json";
    std::ofstream(a) << R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","write"],"action":"SCMP_ACT_ALLOW"},
                          {"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":8,"op":"SCMP_CMP_EQ"}]}]})";
    std::ofstream(c)
        << R"({"defaultAction":"SCMP_ACT_ERRNO","archMap":[],"syscalls":[{"names":["ptrace"],"action":"SCMP_ACT_ALLOW"},
                          {"names":["mount"],"action":"SCMP_ACT_ERRNO"}]})";
    Result r = docklock({"profile", "record", "--merge", a + "," + c, "--format", "docker"});
    REQUIRE(r.code == 0);
    json j = json::parse(r.out);
    // Conditional and denied rules stay out of the merged workload rule; the runtime's own rule follows it.
    REQUIRE(j["syscalls"].size() == 2);
    CHECK(j["syscalls"][0]["names"] == json::array({"ptrace", "read", "write"}));
    CHECK(std::count(j["syscalls"][1]["names"].begin(), j["syscalls"][1]["names"].end(), "capset") == 1);
    CHECK(j["archMap"][0]["architecture"] == "SCMP_ARCH_X86_64");
    CHECK(j["defaultErrnoRet"] == 1);
    Result bad = docklock({"profile", "record", "--merge", b.dir + "/config.json"});
    CHECK(bad.code != 0);
    CHECK_THAT(bad.err, Catch::Contains("config.json: not a seccomp profile"));
}

namespace {

bool leftover_record_container() {
    Result l = docklock({"list", "--format", "json"});
    return l.out.find("docklock-record-") != std::string::npos ||
           run({"sh", "-c", "ls " + state_root() + " | grep -q docklock-record-"}).code == 0;
}

}  // namespace

TEST_CASE("profile record -- ID: a command exec'd into a running container is what gets recorded") {
    require_root();
    Bundle b;
    b.args({"sleep", "600"});  // the init: nanosleep, over and over
    REQUIRE(b.run({"-d"}).code == 0);
    std::string out = b.dir + "/exec.json";
    Result rec = docklock({"profile", "record", "-o", out, "--", b.id, "sh", "-c",
                           "echo data > /tmp/f; mkdir /tmp/d; rmdir /tmp/d; ln -s /tmp/f /tmp/l; "
                           "cat /tmp/l | tr a-z A-Z; exit 3"});
    INFO(rec.out << rec.err);
    CHECK(rec.code == 3);  // the workload's exit code
    CHECK_THAT(rec.out, Catch::Contains("DATA"));
    CHECK_THAT(rec.err, Catch::Contains("syscalls recorded; the workload exited 3"));
    json prof = json::parse(read(out));
    // The workload's calls are the first rule; the second is what the runtime itself needs after
    // loading a filter without no_new_privs (seccomp/record.cpp), never mixed into the first.
    REQUIRE(prof["syscalls"].size() == 2);
    std::set<std::string> got;
    for (const auto& n : prof["syscalls"][0]["names"]) got.insert(n.get<std::string>());
    std::set<std::string> rt;
    for (const auto& n : prof["syscalls"][1]["names"]) rt.insert(n.get<std::string>());
    CHECK(rt.count("capset"));
    CHECK(rt.count("setresuid"));
    CHECK(rt.count("execve"));
    INFO("recorded: " << json(got).dump());
    auto any = [&](std::initializer_list<const char*> alts) {
        for (const char* n : alts)
            if (got.count(n)) return true;
        return false;
    };
    for (const char* n : {"execve", "write", "exit_group"}) CHECK(got.count(n));
    CHECK(any({"mkdir", "mkdirat"}));
    CHECK(any({"rmdir", "unlinkat"}));
    CHECK(any({"symlink", "symlinkat"}));
    CHECK(any({"open", "openat"}));
    CHECK(any({"pipe", "pipe2"}));
    CHECK(any({"wait4", "waitid"}));
    CHECK(any({"clone", "fork", "vfork", "clone3"}));
    // Not the init's sleep, not docklock's own exec setup (joining the namespaces, capabilities).
    for (const char* n : {"nanosleep", "clock_nanosleep", "setns", "capset", "seccomp", "chdir"}) CHECK_FALSE(got.count(n));
    // The container is left running, and its init was never under the recording filter.
    CHECK(json::parse(docklock({"state", b.id}).out)["status"] == "running");
    Result init = docklock({"exec", b.id, "sh", "-c", "grep Seccomp: /proc/1/status"});
    CHECK_THAT(init.out, Catch::Contains("Seccomp:\t0"));
    // The usual mistakes are errors.
    CHECK_THAT(docklock({"profile", "record", "--", b.id}).err, Catch::Contains("a command to exec"));
    CHECK_THAT(docklock({"profile", "record", "--", "no-such-container", "true"}).err, Catch::Contains("no-such-container"));
}

TEST_CASE("profile record: a workload that never reaches its execve is a clear error within seconds") {
    require_root();
    {
        Bundle b;
        b.args({"/no/such/program"});
        b.write();
        auto t0 = std::chrono::steady_clock::now();
        Result r = docklock({"profile", "record", "--bundle", b.dir});
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        INFO(r.out << r.err);
        CHECK(r.code != 0);
        CHECK_THAT(r.err, Catch::Contains("/no/such/program") && Catch::Contains("no such file or directory"));
        CHECK(secs < 5);
        CHECK_FALSE(leftover_record_container());
    }
    {
        // A startContainer hook that hangs: the init is alive but never loads the recording filter.
        Bundle b;
        b.args({"true"});
        b.config["hooks"]["startContainer"] = json::array({{{"path", "/bin/sleep"}, {"args", {"sleep", "61"}}}});
        b.write();
        auto t0 = std::chrono::steady_clock::now();
        Result r = docklock({"profile", "record", "--timeout", "2", "--bundle", b.dir});
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        INFO(r.out << r.err);
        CHECK(r.code != 0);
        CHECK_THAT(r.err, Catch::Contains("did not load the recording filter within 2s"));
        CHECK(secs < 10);
        CHECK_FALSE(leftover_record_container());
        CHECK(run({"sh", "-c", "pgrep -f '^sleep 61$'"}).code != 0);  // the hung hook died with the container
    }
}

TEST_CASE("profile record then a policy naming the profile: the workload runs under it and the never-list stays on top") {
    require_root();
    Bundle b;
    add_probe(b);
    // Files, pipes, a fork, and three calls the never-allowed list denies; the same script under both.
    const std::string script =
        "set -e; echo data > /tmp/f; cat /tmp/f | tr a-z A-Z | grep -q DATA; (echo child > /tmp/c) & wait; "
        "grep -q child /tmp/c; grep Seccomp_filters /proc/self/status; /probe keyctl unshare clone_newuser; "
        "echo workload-ok";
    b.sh(script);
    b.write();
    std::string prof = b.dir + "/app.json";
    Result rec = docklock({"profile", "record", "--bundle", b.dir, "-o", prof});
    INFO(rec.out << rec.err);
    REQUIRE(rec.code == 0);
    CHECK_THAT(rec.out, Catch::Contains("keyctl=OK") && Catch::Contains("unshare=OK") && Catch::Contains("clone_newuser=OK"));
    std::set<std::string> got = names_of(json::parse(read(prof)));
    INFO("recorded: " << json(got).dump());
    CHECK(got.count("keyctl"));  // so the recorded profile itself allows them
    CHECK(got.count("unshare"));
    CHECK_FALSE(got.count("chown"));

    // Two runtime names, two policies: A names the recorded profile, B is the baseline.
    std::string pa = b.dir + "/A.yaml", pb = b.dir + "/B.yaml";
    std::ofstream(pa) << "version: 1\ncontrols:\n  seccomp:\n    profile: " << prof << "\n";
    std::ofstream(pb) << "version: 1\n";
    {
        UsePolicy p(pa);
        Result shown = docklock({"policy", "show"});
        CHECK_THAT(shown.out, Catch::Contains("profile: \"" + prof + "\""));
        Result r = b.run();
        INFO(r.out << r.err);
        CHECK(r.code == 0);
        CHECK_THAT(r.out, Catch::Contains("workload-ok"));
        CHECK_THAT(r.out, Catch::Contains("Seccomp_filters:\t2"));  // the recorded profile + the never-allowed filter
        // Allowed by the recorded profile, denied by the stacked never-allowed filter.
        CHECK_THAT(r.out,
                   Catch::Contains("keyctl=EPERM") && Catch::Contains("unshare=EPERM") && Catch::Contains("clone_newuser=EPERM"));
        Result f = docklock({"policy", "check", "--format", "json", "--bundle", b.dir});
        CHECK_THAT(f.out, Catch::Contains(prof + " + docklock's never-allowed filter"));
        // A call the workload never made: EPERM from the recorded profile's default action.
        b.sh("/probe chown");
        Result c = b.run();
        CHECK_THAT(c.out, Catch::Contains("chown=EPERM"));
    }
    {
        UsePolicy p(pb);
        b.sh("/probe chown");
        Result c = b.run();
        INFO(c.out << c.err);
        CHECK_THAT(c.out, Catch::Contains("chown=OK"));  // docklock's default profile allows it
    }
    {
        // An error in the profile file is a policy error naming the file and the field.
        std::ofstream(prof) << R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"]}]})";
        UsePolicy p(pa);
        Result bad = b.run();
        CHECK(bad.code != 0);
        CHECK_THAT(bad.err, Catch::Contains(pa + ":4:14: controls.seccomp.profile: " + prof + ": syscalls[0].action: required"));
    }
}

TEST_CASE("profile record: the recorded profile runs with and without no_new_privs (Docker's default config, --policy off)") {
    require_root();
    Bundle b;
    b.sh("echo recorded-ok");
    b.write();
    std::string out = b.dir + "/recorded.json";
    Result rec = docklock({"profile", "record", "--bundle", b.dir, "-o", out});
    INFO(rec.out << rec.err);
    REQUIRE(rec.code == 0);
    json prof = json::parse(read(out));
    for (bool nnp : {false, true}) {
        INFO("noNewPrivileges " << nnp);
        Bundle d;
        use_fixture(d, "default");
        d.config["process"]["args"] = {"sh", "-c", "echo recorded-ok"};
        d.config["process"]["noNewPrivileges"] = nnp;
        d.config["linux"]["seccomp"] = prof;
        UsePolicy off("off");
        Result r = d.run();
        INFO(r.out << r.err);
        CHECK(r.code == 0);
        CHECK_THAT(r.out, Catch::Contains("recorded-ok"));
    }
}
