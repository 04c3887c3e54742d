// The hardened baseline, seen from a real kernel: Docker 20.10's own config.json files run through
// docklock with the built-in policy, asserted from inside the container (/proc/self/status, the
// syscalls the probe tries, the cgroup files) and from the findings docklock stored and logged.
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <algorithm>
#include <cstring>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <iterator>
#include <thread>

#include "harness.hpp"

using namespace harness;
using nlohmann::json;

namespace {

// CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID NET_BIND_SERVICE: bits 0 1 3 4 5 6 7 10.
const char* const kBaselineCaps = "00000000000004fb";

const char* const kProbes =
    "/probe unshare keyctl io_uring_setup userfaultfd perf_event_open af_alg af_vsock clone3 clone_newuser nr:452 chown";

// "KEY: value" (/proc/self/status, echo) or "KEY=value" (the probe), on a line of its own.
std::string status_field(const std::string& out, const std::string& key) {
    std::string text = "\n" + out;
    for (const char* sep : {":", "="}) {
        auto p = text.find("\n" + key + sep);
        if (p == std::string::npos) continue;
        p += key.size() + 2;
        auto e = text.find('\n', p);
        return trim(text.substr(p, e == std::string::npos ? std::string::npos : e - p));
    }
    return "";
}

Result run_fixture(Bundle& b, const std::string& script) {
    add_probe(b);
    b.config["process"]["args"] = {"sh", "-c", script};
    b.config["process"]["terminal"] = false;
    return b.run();
}

// Create the bundle's container again, read the findings stored with its state, delete it.
json findings_of(Bundle& b) {
    REQUIRE(b.create().code == 0);
    Result r = docklock({"findings", b.id, "--format", "json"});
    docklock({"delete", "--force", b.id});
    REQUIRE(r.code == 0);
    return json::parse(r.out);
}

bool has_finding(const json& f, const std::string& control, const std::string& action = "") {
    for (const auto& x : f)
        if (x["control"] == control && (action.empty() || x["action"] == action)) return true;
    return false;
}


const std::string kInside =
    "grep -E '^(CapEff|CapBnd|CapInh|CapAmb|NoNewPrivs|Seccomp|Seccomp_filters):' /proc/self/status; "
    "echo pids.max: $(cat /sys/fs/cgroup/pids/pids.max); "
    "echo timer_list: $(cat /proc/timer_list | wc -c); "
    "echo firmware: $(ls /sys/firmware | wc -l); "
    "touch /proc/sysrq-trigger 2>/dev/null && echo sysrq: writable || echo sysrq: ro; "
    "touch /sys/x 2>/dev/null && echo sys: writable || echo sys: ro; ";

// What every fixture that runs must show inside, whatever Docker asked for.
void check_baseline_inside(const Result& r, int seccomp_filters) {
    INFO(r.out << r.err);
    CHECK(status_field(r.out, "CapEff") == kBaselineCaps);
    CHECK(status_field(r.out, "CapBnd") == kBaselineCaps);
    CHECK(status_field(r.out, "CapInh") == "0000000000000000");
    CHECK(status_field(r.out, "CapAmb") == "0000000000000000");
    CHECK(status_field(r.out, "NoNewPrivs") == "1");
    CHECK(status_field(r.out, "Seccomp") == "2");
    CHECK(status_field(r.out, "Seccomp_filters") == std::to_string(seccomp_filters));
    CHECK(status_field(r.out, "pids.max") == "4096");
    CHECK(status_field(r.out, "timer_list") == "0");  // masked (this kernel has no /proc/kcore)
    CHECK(status_field(r.out, "firmware") == "0");
    CHECK(status_field(r.out, "sysrq") == "ro");
    CHECK(status_field(r.out, "sys") == "ro");
    // The never-allowed calls, whichever filter denies them; clone3 and calls newer than the
    // profile answer ENOSYS so libc falls back.
    for (const char* p : {"unshare", "keyctl", "io_uring_setup", "userfaultfd", "perf_event_open", "af_alg", "af_vsock",
                          "clone_newuser"})
        CHECK(status_field(r.out, p) == "EPERM");
    CHECK(status_field(r.out, "clone3") == "ENOSYS");
    CHECK(status_field(r.out, "chown") == "OK");
}

}  // namespace

TEST_CASE("policy: without a seccomp filter the probe's calls succeed (the probe is honest)") {
    Bundle b;
    use_fixture(b, "seccomp-unconfined");
    Result r = run_fixture(b, std::string(kProbes));
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    for (const char* p : {"unshare", "keyctl", "clone_newuser", "chown"}) CHECK(status_field(r.out, p) == "OK");
    CHECK(status_field(r.out, "clone3") == "EINVAL");
    CHECK(status_field(r.out, "nr:452") != "ENOSYS");  // fchmodat2 exists in this kernel
}

TEST_CASE("policy: Docker's default config runs hardened and the client profile gets the stacked filter") {
    UsePolicy policy("builtin");
    Bundle b;
    use_fixture(b, "default");
    Result r = run_fixture(b, kInside + kProbes);
    REQUIRE(r.code == 0);
    check_baseline_inside(r, 2);  // Docker's profile + the never-allowed filter
    json f = findings_of(b);
    CHECK(has_finding(f, "capabilities", "changed"));
    CHECK(has_finding(f, "no_new_privileges", "changed"));
    CHECK(has_finding(f, "seccomp", "changed"));
    CHECK(has_finding(f, "resources.pids", "changed"));
    CHECK(has_finding(f, "namespaces.cgroup", "changed"));
    // Findings go to the log, not to stderr (where `run` writes next to the container's output and
    // engines read the runtime's errors): stderr has nothing without --debug.
    CHECK(r.err == "");
}

TEST_CASE("policy: findings go to --log (and to stderr only with --debug); a refusal is one line on stderr") {
    UsePolicy policy("builtin");
    Bundle b;
    use_fixture(b, "default");
    b.config["process"]["args"] = {"true"};
    b.write();
    std::string logf = b.dir + "/docklock.log";
    Result r = docklock({"--log", logf, "run", "--bundle", b.dir, b.id});
    REQUIRE(r.code == 0);
    CHECK(r.err == "");
    std::ifstream in(logf);
    std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK_THAT(log, Catch::Contains("info policy: capabilities"));
    Result d = docklock({"--debug", "run", "--bundle", b.dir, b.id});
    REQUIRE(d.code == 0);
    CHECK_THAT(d.err, Catch::Contains("policy: capabilities"));

    // a refused create, as an engine that relays the runtime's stderr (conmon) sees it: one line
    Bundle bad;
    use_fixture(bad, "host-ns");
    Result x = bad.create();
    CHECK(x.code != 0);
    CHECK_THAT(x.err, Catch::StartsWith("docklock: policy: refused by control \"namespaces.pid\""));
    CHECK(std::count(x.err.begin(), x.err.end(), '\n') == 1);
}

TEST_CASE("policy: the limits fixture keeps its limits and user and runs hardened") {
    UsePolicy policy("builtin");
    Bundle b;
    use_fixture(b, "limits");
    Result r = run_fixture(b, "grep -E '^(CapEff|NoNewPrivs|Seccomp):' /proc/self/status; id -u; "
                              "echo pids.max: $(cat /sys/fs/cgroup/pids/pids.max); "
                              "echo mem: $(cat /sys/fs/cgroup/memory/memory.limit_in_bytes); "
                              "touch /x 2>/dev/null && echo rootfs: rw || echo rootfs: ro");
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK(status_field(r.out, "CapEff") == "0000000000000000");  // uid 1000 keeps no effective caps
    CHECK(status_field(r.out, "NoNewPrivs") == "1");
    CHECK(status_field(r.out, "Seccomp") == "2");
    CHECK(status_field(r.out, "pids.max") == "50");  // the client's own limit is kept
    CHECK(status_field(r.out, "mem") == "67108864");
    CHECK(status_field(r.out, "rootfs") == "ro");
    CHECK_THAT(r.out, Catch::Contains("1000"));
}

TEST_CASE("policy: --privileged and --cap-add ALL are downgraded to the baseline") {
    UsePolicy policy("builtin");
    for (const char* fixture : {"privileged", "capadd-all"}) {
        SECTION(fixture) {
            Bundle b;
            use_fixture(b, fixture);
            Result r = run_fixture(b, kInside + kProbes + "; ls /dev | wc -l | sed 's/^/devices: /'");
            REQUIRE(r.code == 0);
            check_baseline_inside(r, std::string(fixture) == "privileged" ? 1 : 2);
                    json f = findings_of(b);
            CHECK(has_finding(f, "capabilities", "changed"));
            if (std::string(fixture) == "privileged") {
                CHECK(has_finding(f, "privileged", "changed"));
                CHECK(has_finding(f, "devices", "changed"));
                CHECK(has_finding(f, "paths.masked", "changed"));
                CHECK(std::stoi(status_field(r.out, "devices")) < 20);  // not the host's hundred devices
            }
        }
    }
}

TEST_CASE("policy: seccomp=unconfined runs under docklock's own profile") {
    UsePolicy policy("builtin");
    Bundle b;
    use_fixture(b, "seccomp-unconfined");
    Result r = run_fixture(b, kInside + kProbes);
    REQUIRE(r.code == 0);
    check_baseline_inside(r, 1);
    CHECK(status_field(r.out, "nr:452") == "ENOSYS");  // newer than the profile: libc falls back
    CHECK(has_finding(findings_of(b), "seccomp", "changed"));
}

// A listening socket at /run/docker.sock for the test when the host has none (a fresh machine): the
// policy judges the object it opens, and a missing source is refused for another reason.
struct DockerSockStandIn {
    int fd = -1;
    DockerSockStandIn() {
        if (exists("/run/docker.sock")) return;
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::strcpy(a.sun_path, "/run/docker.sock");
        if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) listen(fd, 1);
    }
    ~DockerSockStandIn() {
        if (fd < 0) return;
        close(fd);
        unlink("/run/docker.sock");
    }
};

TEST_CASE("policy: docker.sock, the host root and host namespaces are refused naming the control") {
    UsePolicy policy("builtin");
    DockerSockStandIn sock;
    struct Case {
        const char *fixture, *control, *field;
    };
    for (const Case& c : {Case{"docker-sock", "mounts.sensitive", "mounts[10].source"},
                          Case{"hostroot", "mounts.sensitive", "mounts[7].source"},
                          Case{"host-ns", "namespaces.pid", "linux.namespaces"}}) {
        SECTION(c.fixture) {
            Bundle b;
            use_fixture(b, c.fixture);
            b.write();
            std::string logf = b.dir + "/docklock.log";
            Result r = docklock({"--log", logf, "create", "--bundle", b.dir, b.id});
            std::ifstream in(logf);
            std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            INFO(r.err << log);
            CHECK(r.code != 0);
            // stderr: the first refusal, one line; every refusal (hostroot has two) is in the log
            CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
            CHECK_THAT(r.err, Catch::StartsWith("docklock: policy: refused by control"));
            CHECK_THAT(log, Catch::Contains("refused by control \"" + std::string(c.control) + "\""));
            CHECK_THAT(log, Catch::Contains(c.field));
            CHECK_THAT(log, Catch::Contains("an admin can allow it"));
            // nothing was made: no state, no cgroup
            CHECK_FALSE(exists(state_root() + "/" + b.id));
            CHECK_FALSE(exists("/sys/fs/cgroup/pids/docklock-test/" + b.id));
        }
    }
}

TEST_CASE("policy: Docker's bridge-network prestart hook through /proc/<dockerd>/exe keeps working") {
    // A process whose /proc/<pid>/exe is a root-owned binary at an allowed absolute path stands in for
    // the daemon: the policy allows it by the file it opens, not by its name.
    char tmpl[] = "/tmp/docklock-hookdir-XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    std::string dir = tmpl;
    chmod(dir.c_str(), 0755);
    std::string fake = dir + "/dockerd";
    REQUIRE(run({"cp", PROBE_BIN, fake}).code == 0);
    chmod(fake.c_str(), 0755);
    std::string policy_file = dir + "/policy.yaml";
    {
        std::ofstream(policy_file) << "controls:\n  hooks:\n    mode: reject\n    allow: [\"" << fake << "\"]\n";
    }
    UsePolicy policy(policy_file);
    pid_t daemon = fork();
    if (daemon == 0) {
        execl(fake.c_str(), "dockerd", "nr:34" /* pause */, nullptr);
        _exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto hook_cfg = [&](Bundle& b, const std::string& path) {
        use_fixture(b, "bridge-network", true);
        auto& hook = b.config["hooks"]["prestart"][0];
        hook["path"] = path;
        hook["args"] = {"dockerd", "chown"};  // the stand-in just runs one harmless probe
    };
    Bundle b;
    hook_cfg(b, "/proc/" + std::to_string(daemon) + "/exe");
    Result r = run_fixture(b, "echo ran");
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("ran"));

    // Anything else is refused: another executable, a copy named dockerd elsewhere (in the bundle),
    // and the allowed file once it is writable by others.
    Bundle other;
    hook_cfg(other, "/bin/sh");
    Result refused = other.create();
    CHECK(refused.code != 0);
    CHECK_THAT(refused.err, Catch::Contains("refused by control \"hooks\""));
    Bundle copy;
    hook_cfg(copy, copy.dir + "/dockerd");
    REQUIRE(run({"cp", PROBE_BIN, copy.dir + "/dockerd"}).code == 0);
    Result refused2 = copy.create();
    CHECK(refused2.code != 0);
    CHECK_THAT(refused2.err, Catch::Contains("is not an allowed hook executable"));
    chmod(fake.c_str(), 0757);
    Bundle writable;
    hook_cfg(writable, fake);
    Result refused3 = writable.create();
    CHECK(refused3.code != 0);
    CHECK_THAT(refused3.err, Catch::Contains("writable by its group or others"));
    kill(daemon, SIGKILL);
    waitpid(daemon, nullptr, 0);
    run({"rm", "-rf", dir});
}

TEST_CASE("policy: ordinary workloads keep working under the baseline") {
    UsePolicy policy("builtin");
    Bundle b;
    use_fixture(b, "default");
    b.config["mounts"].push_back({{"destination", "/tmp"}, {"type", "tmpfs"}, {"source", "tmpfs"},
                                  {"options", json::array({"nosuid", "nodev", "mode=1777"})}});
    const std::string script =
        "set -e; echo a b c | tr ' ' '\\n' | sort -r | head -1; "
        "printf '#!/bin/sh\\necho script $1\\n' > /tmp/s.sh; chmod +x /tmp/s.sh; /tmp/s.sh ok; "
        "adduser -D -u 1234 app 2>/dev/null || echo 'app:x:1234:1234::/tmp:/bin/sh' >> /etc/passwd; "
        "touch /tmp/owned; chown 1234 /tmp/owned; stat -c 'owner %u' /tmp/owned; "
        "su app -s /bin/sh -c 'echo su-uid $(id -u)'; "
        "(httpd -p 80 -h /tmp && echo bound 80) ; "
        "i=0; while [ $i -lt 100 ]; do sleep 2 & i=$((i+1)); done; echo procs $(ls /proc | grep -c '^[0-9]'); "
        "head -c 1 /etc/resolv.conf >/dev/null && echo resolv ok; echo host $(hostname)";
    Result r = run_fixture(b, script);
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("c\n"));
    CHECK_THAT(r.out, Catch::Contains("script ok"));
    CHECK_THAT(r.out, Catch::Contains("owner 1234"));
    CHECK_THAT(r.out, Catch::Contains("su-uid 1234"));
    CHECK_THAT(r.out, Catch::Contains("bound 80"));
    CHECK_THAT(r.out, Catch::Contains("resolv ok"));
    CHECK_THAT(r.out, Catch::Contains("host "));
    auto p = r.out.find("procs ");
    REQUIRE(p != std::string::npos);
    CHECK(std::stoi(r.out.substr(p + 6)) > 100);
}

TEST_CASE("policy: exec into a running container gets the baseline too") {
    UsePolicy policy("builtin");
    Bundle b;
    use_fixture(b, "default");
    add_probe(b);
    b.config["process"]["args"] = {"sleep", "30"};
    b.config["process"]["terminal"] = false;
    REQUIRE(b.create().code == 0);
    REQUIRE(docklock({"start", b.id}).code == 0);
    // docker exec --privileged: every capability asked for
    json proc = b.config["process"];
    proc["args"] = json::array({"sh", "-c", "grep -E '^(CapEff|NoNewPrivs|Seccomp_filters):' /proc/self/status; /probe unshare"});
    json caps = json::array({"CAP_SYS_ADMIN", "CAP_NET_ADMIN", "CAP_SYS_PTRACE", "CAP_CHOWN", "CAP_NET_RAW"});
    proc["capabilities"] = {{"bounding", caps}, {"effective", caps}, {"permitted", caps}};
    proc["noNewPrivileges"] = false;
    std::string pf = b.dir + "/exec.json";
    std::ofstream(pf) << proc.dump();
    std::string logf = b.dir + "/exec.log";
    Result r = docklock({"--log", logf, "exec", "--process", pf, b.id});
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK(status_field(r.out, "CapEff") == "0000000000000001");  // only CHOWN survives
    CHECK(status_field(r.out, "NoNewPrivs") == "1");
    CHECK(status_field(r.out, "Seccomp_filters") == "2");
    CHECK(status_field(r.out, "unshare") == "EPERM");
    std::ifstream log(logf);  // the exec's findings, in the log rather than the exec's stderr
    CHECK_THAT(std::string((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>()),
               Catch::Contains("policy: capabilities"));
    CHECK(r.err == "");
    // with a tty as well
    Result t = docklock({"exec", "-t", b.id, "sh", "-c", "grep NoNewPrivs /proc/self/status"});
    CHECK(t.code == 0);
    CHECK_THAT(t.out, Catch::Contains("NoNewPrivs:\t1"));
    docklock({"delete", "--force", b.id});
}

TEST_CASE("policy: Landlock (strict policy) forbids running dropped binaries and writing /proc - the baseline does not") {
    long abi = syscall(SYS_landlock_create_ruleset, nullptr, 0, 1U);
    if (abi < 1) {
        std::cout << "SKIP: this kernel has no Landlock\n";
        std::exit(77);
    }
    const std::string script =
        "cp /bin/busybox /tmp/true; cp /bin/busybox /dev/shm/true; "  // busybox runs the applet named by argv[0]
        "/tmp/true && echo tmp-exec: ok || echo tmp-exec: denied; "
        "/dev/shm/true && echo shm-exec: ok || echo shm-exec: denied; "
        "(echo renamed > /proc/self/comm) 2>/dev/null && echo proc-write: ok || echo proc-write: denied; "
        "echo x > /tmp/f && echo tmp-write: ok; /bin/busybox true && echo bin-exec: ok";
    auto run_with = [&](const std::string& policy_arg) {
        UsePolicy policy(policy_arg);
        Bundle b;
        use_fixture(b, "default");
        b.config["mounts"].push_back({{"destination", "/tmp"}, {"type", "tmpfs"}, {"source", "tmpfs"},
                                      {"options", json::array({"nosuid", "nodev", "mode=1777"})}});
        for (auto& m : b.config["mounts"])  // Docker mounts /dev/shm noexec: take that away so Landlock is seen
            if (m["destination"] == "/dev/shm") {
                json opts = json::array();
                for (const auto& o : m["options"])
                    if (o != "noexec") opts.push_back(o);
                m["options"] = opts;
            }
        add_probe(b);
        b.config["process"]["args"] = {"sh", "-c", script};
        b.write();
        Result r = docklock({"--debug", "run", "--bundle", b.dir, b.id});  // --debug: the findings on stderr
        INFO(r.out << r.err);
        REQUIRE(r.code == 0);
        return r;
    };
    Result base = run_with("builtin");
    CHECK(status_field(base.out, "tmp-exec") == "ok");
    CHECK(status_field(base.out, "shm-exec") == "ok");
    CHECK(status_field(base.out, "proc-write") == "ok");

    std::string strict = state_root() + "/strict.yaml";
    std::ofstream(strict) << "version: 1\ncontrols:\n  landlock: enforce\n";
    Result r = run_with(strict);
    CHECK(status_field(r.out, "tmp-exec") == "denied");
    CHECK(status_field(r.out, "shm-exec") == "denied");
    CHECK(status_field(r.out, "proc-write") == "denied");
    CHECK(status_field(r.out, "tmp-write") == "ok");
    CHECK(status_field(r.out, "bin-exec") == "ok");
    CHECK_THAT(r.err, Catch::Contains("policy: landlock"));
}
