// linux.seccomp as the runtime-spec and runc define it, asserted from inside real containers with the
// static probe (test/probe/syscall_probe.cpp): actions, errno values, argument operators and runc's
// AND/OR rules, architectures, flags, unknown names. The harness runs with --policy off, so the
// client's profile is the only filter loaded. x86_64 syscall numbers are used throughout.
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cctype>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

#include "../../seccomp/compile.hpp"
#include "harness.hpp"
#include "libcontainer/process/sync.hpp"

using namespace harness;
using nlohmann::json;

namespace {

constexpr int ENOMSG_ = 42;  // an errno nothing else returns for these calls: ENOMSG

json profile(const std::string& def, json syscalls = json::array()) {
    return {{"defaultAction", def}, {"syscalls", std::move(syscalls)}};
}

json rule(const std::vector<std::string>& names, const std::string& action, json extra = json::object()) {
    json r = {{"names", names}, {"action", action}};
    for (auto& [k, v] : extra.items()) r[k] = v;
    return r;
}

json arg(unsigned index, const std::string& op, uint64_t value, uint64_t two = 0) {
    json a = {{"index", index}, {"op", op}, {"value", value}};
    if (two) a["valueTwo"] = two;
    return a;
}

// The probe's stdout under `profile`: args are the probe's arguments, run through sh so the
// shell reports how the probe died ("rc=159" is SIGSYS).
Result run_probe(Bundle& b, const json& prof, const std::string& probe_args) {
    add_probe(b);
    b.config["linux"]["seccomp"] = prof;
    b.sh("/probe " + probe_args + "; echo rc=$?");
    return b.run();
}

bool kernel_runs_i386() {
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGSEGV, SIG_DFL);  // without IA32 emulation int 0x80 faults: die quietly, not through Catch
        long rc = 20;              // i386 getpid
        asm volatile("int $0x80" : "+a"(rc) : : "memory");
        _exit(rc > 0 ? 0 : 1);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

}  // namespace

TEST_CASE("seccomp: SCMP_ACT_ERRNO returns errnoRet and EPERM without it", "[seccomp]") {
    Bundle b;
    json p = profile("SCMP_ACT_ALLOW", {rule({"mkdir", "mkdirat"}, "SCMP_ACT_ERRNO", {{"errnoRet", ENOMSG_}}),
                                        rule({"sched_yield"}, "SCMP_ACT_ERRNO")});
    add_probe(b);
    b.config["linux"]["seccomp"] = p;
    b.sh("mkdir /x 2>&1; /probe sys:83 sys:24 sys:39; echo rc=$?");
    Result r = b.run();
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("No message of desired type"));  // busybox mkdir got ENOMSG
    CHECK_THAT(r.out, Catch::Contains("sys:83=ENOMSG\n"));
    CHECK_THAT(r.out, Catch::Contains("sys:24=EPERM\n"));
    CHECK_THAT(r.out, Catch::Matches("(.|\n)*sys:39=[0-9]+\n(.|\n)*"));  // getpid untouched
    CHECK_THAT(r.out, Catch::EndsWith("rc=0\n"));
}

TEST_CASE("seccomp: defaultAction SCMP_ACT_ERRNO with defaultErrnoRet on Docker's allow list", "[seccomp]") {
    Bundle b;
    use_fixture(b, "default");
    json p = b.config["linux"]["seccomp"];
    REQUIRE(p["defaultAction"] == "SCMP_ACT_ERRNO");
    p["defaultErrnoRet"] = ENOMSG_;
    // acct (163) is named only in the CAP_SYS_PACCT rule Docker leaves out: the default action answers.
    // cachestat (451) is newer than anything the profile names: ENOSYS, so libc falls back (as runc).
    Result r = run_probe(b, p, "sys:163 sys:451 sys:24");
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("sys:163=ENOMSG\n"));
    CHECK_THAT(r.out, Catch::Contains("sys:451=ENOSYS\n"));
    CHECK_THAT(r.out, Catch::Contains("sys:24=0\n"));  // sched_yield: on Docker's SCMP_ACT_ALLOW list
    CHECK_THAT(r.out, Catch::EndsWith("rc=0\n"));
}

TEST_CASE("seccomp: SCMP_ACT_TRAP kills the caller with SIGSYS", "[seccomp]") {
    Bundle b;
    Result r = run_probe(b, profile("SCMP_ACT_ALLOW", {rule({"sched_yield"}, "SCMP_ACT_TRAP")}), "sys:39 sys:24");
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Catch::Matches("sys:39=[0-9]+\nrc=159\n"));  // 128 + SIGSYS, nothing after the call
}

TEST_CASE("seccomp: SCMP_ACT_KILL and SCMP_ACT_KILL_THREAD kill the thread - SCMP_ACT_KILL_PROCESS the process", "[seccomp]") {
    for (const char* act : {"SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD"}) {
        Bundle b;
        Result r = run_probe(b, profile("SCMP_ACT_ALLOW", {rule({"sched_yield"}, act)}), "thread:24 sys:39");
        INFO(act);
        REQUIRE(r.code == 0);
        CHECK_THAT(r.out, Catch::Matches("thread:24=THREAD_GONE\nsys:39=[0-9]+\nrc=0\n"));
    }
    Bundle b;
    Result r = run_probe(b, profile("SCMP_ACT_ALLOW", {rule({"sched_yield"}, "SCMP_ACT_KILL_PROCESS")}), "thread:24 sys:39");
    REQUIRE(r.code == 0);
    CHECK(r.out == "rc=159\n");
}

TEST_CASE("seccomp: SCMP_ACT_LOG and SCMP_ACT_ALLOW let the call through", "[seccomp]") {
    Bundle b;
    Result r = run_probe(b,
                         profile("SCMP_ACT_LOG", {rule({"sched_yield"}, "SCMP_ACT_ALLOW"),
                                                  rule({"getppid"}, "SCMP_ACT_ERRNO", {{"errnoRet", ENOMSG_}})}),
                         "sys:24 sys:39 sys:110");
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Catch::Matches("sys:24=0\nsys:39=[0-9]+\nsys:110=ENOMSG\nrc=0\n"));
    Bundle b2;
    r = run_probe(b2, profile("SCMP_ACT_ALLOW", {rule({"sched_yield"}, "SCMP_ACT_LOG")}), "sys:24");
    REQUIRE(r.code == 0);
    CHECK(r.out == "sys:24=0\nrc=0\n");
}

TEST_CASE("seccomp: SCMP_ACT_TRACE without a tracer fails the call with ENOSYS", "[seccomp]") {
    Bundle b;
    Result r = run_probe(b, profile("SCMP_ACT_ALLOW", {rule({"sched_yield"}, "SCMP_ACT_TRACE", {{"errnoRet", 7}})}), "sys:24");
    REQUIRE(r.code == 0);
    CHECK(r.out == "sys:24=ENOSYS\nrc=0\n");
}

TEST_CASE("seccomp: every argument operator", "[seccomp]") {
    // One argument-ignoring syscall per operator, called with arg0 below, at and above the value.
    const json e = {{"errnoRet", ENOMSG_}};
    auto r1 = [&](const char* name, json a) {
        json x = rule({name}, "SCMP_ACT_ERRNO", e);
        x["args"] = json::array({std::move(a)});
        return x;
    };
    json p = profile("SCMP_ACT_ALLOW", {r1("sched_yield", arg(0, "SCMP_CMP_NE", 10)), r1("getpid", arg(0, "SCMP_CMP_LT", 10)),
                                        r1("getppid", arg(0, "SCMP_CMP_LE", 10)), r1("getuid", arg(0, "SCMP_CMP_EQ", 10)),
                                        r1("getgid", arg(0, "SCMP_CMP_GE", 10)), r1("geteuid", arg(0, "SCMP_CMP_GT", 10)),
                                        r1("getegid", arg(0, "SCMP_CMP_MASKED_EQ", 0xf0, 0x10))});
    std::string calls;
    for (int nr : {24, 39, 110, 102, 104, 107})
        for (int v : {9, 10, 11}) calls += " sys:" + std::to_string(nr) + ":" + std::to_string(v);
    calls += " sys:108:0x15 sys:108:0x25 sys:108:0x10 sys:108:0x110";
    Bundle b;
    add_probe(b);
    b.config["linux"]["seccomp"] = p;
    b.args({"/probe"});
    std::istringstream in(calls);
    for (std::string c; in >> c;) b.config["process"]["args"].push_back(c);
    Result r = b.run();
    REQUIRE(r.code == 0);
    auto denied = [&](const std::string& call) { return r.out.find(call + "=ENOMSG\n") != std::string::npos; };
    auto passed = [&](const std::string& call) {
        size_t at = r.out.find(call + "=");
        return at != std::string::npos && std::isdigit(static_cast<unsigned char>(r.out[at + call.size() + 1]));
    };
    INFO(r.out);
    // NE
    CHECK(denied("sys:24:9"));
    CHECK(passed("sys:24:10"));
    CHECK(denied("sys:24:11"));
    // LT
    CHECK(denied("sys:39:9"));
    CHECK(passed("sys:39:10"));
    CHECK(passed("sys:39:11"));
    // LE
    CHECK(denied("sys:110:9"));
    CHECK(denied("sys:110:10"));
    CHECK(passed("sys:110:11"));
    // EQ
    CHECK(passed("sys:102:9"));
    CHECK(denied("sys:102:10"));
    CHECK(passed("sys:102:11"));
    // GE
    CHECK(passed("sys:104:9"));
    CHECK(denied("sys:104:10"));
    CHECK(denied("sys:104:11"));
    // GT
    CHECK(passed("sys:107:9"));
    CHECK(passed("sys:107:10"));
    CHECK(denied("sys:107:11"));
    // MASKED_EQ: (arg & 0xf0) == 0x10
    CHECK(denied("sys:108:0x15"));
    CHECK(passed("sys:108:0x25"));
    CHECK(denied("sys:108:0x10"));
    CHECK(denied("sys:108:0x110"));
}

TEST_CASE("seccomp: args in one rule are ANDed - rules for one syscall are ORed - a repeated index ORs (runc)", "[seccomp]") {
    const json e = {{"errnoRet", ENOMSG_}};
    json both = rule({"sched_yield"}, "SCMP_ACT_ERRNO", e);
    both["args"] = {arg(0, "SCMP_CMP_EQ", 1), arg(1, "SCMP_CMP_EQ", 2)};
    json one = rule({"getpid"}, "SCMP_ACT_ERRNO", e), two = one;
    one["args"] = {arg(0, "SCMP_CMP_EQ", 1)};
    two["args"] = {arg(0, "SCMP_CMP_EQ", 2)};
    json repeated = rule({"getppid"}, "SCMP_ACT_ERRNO", e);
    repeated["args"] = {arg(0, "SCMP_CMP_EQ", 5), arg(0, "SCMP_CMP_EQ", 6)};
    Bundle b;
    add_probe(b);
    b.config["linux"]["seccomp"] = profile("SCMP_ACT_ALLOW", {both, one, two, repeated});
    b.args({"/probe", "sys:24:1:2", "sys:24:1:0", "sys:24:0:2", "sys:39:1", "sys:39:2", "sys:39:3", "sys:110:5", "sys:110:6",
            "sys:110:7"});
    Result r = b.run();
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Catch::Matches("sys:24:1:2=ENOMSG\nsys:24:1:0=0\nsys:24:0:2=0\n"
                                     "sys:39:1=ENOMSG\nsys:39:2=ENOMSG\nsys:39:3=[0-9]+\n"
                                     "sys:110:5=ENOMSG\nsys:110:6=ENOMSG\nsys:110:7=[0-9]+\n"));
}

TEST_CASE("seccomp: only the listed architectures pass - x32 calls are killed unless SCMP_ARCH_X32 is listed", "[seccomp]") {
    const std::string x32_getpid = "sys:" + std::to_string(0x40000000 | 39);
    json p = profile("SCMP_ACT_ALLOW", {rule({"getpid"}, "SCMP_ACT_ERRNO", {{"errnoRet", ENOMSG_}})});
    SECTION("none listed: native only") {
        Bundle b;
        Result r = run_probe(b, p, "sys:39 " + x32_getpid);
        REQUIRE(r.code == 0);
        CHECK(r.out == "sys:39=ENOMSG\nrc=159\n");  // SIGSYS: libseccomp's bad-architecture action
    }
    SECTION("SCMP_ARCH_X86_64 alone") {
        p["architectures"] = {"SCMP_ARCH_X86_64"};
        Bundle b;
        Result r = run_probe(b, p, "sys:39 " + x32_getpid);
        REQUIRE(r.code == 0);
        CHECK(r.out == "sys:39=ENOMSG\nrc=159\n");
    }
    SECTION("SCMP_ARCH_X32 listed") {
        p["architectures"] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X32"};
        Bundle b;
        // The x32 part of the filter has the rule too (seccomp runs before the kernel looks at the ABI).
        Result r = run_probe(b, p, x32_getpid + " sys:110");
        REQUIRE(r.code == 0);
        CHECK_THAT(r.out, Catch::Matches(x32_getpid + "=ENOMSG\nsys:110=[0-9]+\nrc=0\n"));
    }
}

TEST_CASE("seccomp: i386 calls (int 0x80) are killed unless SCMP_ARCH_X86 is listed", "[seccomp]") {
    if (!kernel_runs_i386()) {
        std::cout << "SKIP: this kernel cannot run i386 syscalls (no IA32 emulation: int 0x80 is SIGSEGV before seccomp)\n";
        std::exit(77);
    }
    json p = profile("SCMP_ACT_ALLOW", {rule({"getpid"}, "SCMP_ACT_ERRNO", {{"errnoRet", ENOMSG_}})});
    Bundle b;
    Result r = run_probe(b, p, "int80:64");
    REQUIRE(r.code == 0);
    CHECK(r.out == "rc=159\n");
    p["architectures"] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"};
    Bundle b2;
    r = run_probe(b2, p, "int80:20 int80:64");  // i386 getpid is ruled by the X86 part; getppid passes
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Catch::Matches("int80:20=ENOMSG\nint80:64=[0-9]+\nrc=0\n"));
}

TEST_CASE("seccomp: flags TSYNC LOG and SPEC_ALLOW are accepted and the filter acts", "[seccomp]") {
    Bundle b;
    json p = profile("SCMP_ACT_ALLOW", {rule({"sched_yield"}, "SCMP_ACT_ERRNO", {{"errnoRet", ENOMSG_}})});
    p["flags"] = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"};
    add_probe(b);
    b.config["linux"]["seccomp"] = p;
    b.sh("grep -E '^(Seccomp|Seccomp_filters|Speculation_Store_Bypass):' /proc/self/status; /probe sys:24");
    Result r = b.run();
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("Seccomp:\t2\n"));
    CHECK_THAT(r.out, Catch::Contains("Seccomp_filters:\t1\n"));
    // SPEC_ALLOW: loading the filter did not force the speculative store bypass mitigation on.
    CHECK_THAT(r.out, !Catch::Contains("force mitigated"));
    CHECK_THAT(r.out, Catch::Contains("sys:24=ENOMSG\n"));
}

TEST_CASE("seccomp: an unknown flag and an errnoRet on a non-errno action are create errors naming the field", "[seccomp]") {
    Bundle b;
    json p = profile("SCMP_ACT_ALLOW");
    p["flags"] = {"SECCOMP_FILTER_FLAG_BOGUS"};
    b.config["linux"]["seccomp"] = p;
    b.args({"true"});
    Result r = b.run();
    CHECK(r.code != 0);
    CHECK_THAT(r.err, Catch::Contains("linux.seccomp.flags[0]"));
    CHECK_FALSE(exists(state_root() + "/" + b.id));
    // errnoRet on an action that returns no errno: the runtime-spec says the runtime MUST fail.
    Bundle b2;
    b2.config["linux"]["seccomp"] = profile("SCMP_ACT_ALLOW", {rule({"getpid"}, "SCMP_ACT_KILL", {{"errnoRet", 1}})});
    b2.args({"true"});
    r = b2.run();
    CHECK(r.code != 0);
    CHECK_THAT(r.err, Catch::Contains("linux.seccomp.syscalls[0].action: an errno return code is only valid with"));
}

TEST_CASE("seccomp: syscall names unknown to libseccomp are skipped with a debug line", "[seccomp]") {
    Bundle b;
    add_probe(b);
    b.config["linux"]["seccomp"] =
        profile("SCMP_ACT_ALLOW", {rule({"no_such_syscall_docklock", "sched_yield"}, "SCMP_ACT_ERRNO", {{"errnoRet", ENOMSG_}})});
    b.args({"/probe", "sys:24"});
    b.write();
    Result r = harness::docklock({"--debug", "run", "--bundle", b.dir, b.id});
    REQUIRE(r.code == 0);
    CHECK(r.out == "sys:24=ENOMSG\n");
    CHECK_THAT(r.err, Catch::Contains("seccomp: syscalls unknown to libseccomp skipped: no_such_syscall_docklock"));
}

// ---- listenerPath / listenerMetadata: the runtime-spec's seccomp agent ----

namespace {

// A seccomp agent on a unix socket, in a thread: keeps every containerProcessState it receives and
// answers notifications: arg0 == 1 gets ENOMSG, anything else the value 4242.
struct Agent {
    std::string dir, path;
    int lfd = -1;
    std::mutex mu;
    std::vector<json> states;
    std::vector<std::string> fd_kinds;  // readlink of each received fd
    std::atomic<bool> stop{false};
    std::atomic<int> answered{0};
    std::thread thread;

    Agent() {
        char tmpl[] = "/tmp/docklock-agent-XXXXXX";
        dir = mkdtemp(tmpl);
        path = dir + "/agent.sock";
        lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
        REQUIRE(bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        REQUIRE(listen(lfd, 4) == 0);
        thread = std::thread([this] { loop(); });
    }
    ~Agent() {
        stop = true;
        thread.join();
        close(lfd);
        harness::run({"rm", "-rf", dir});
    }
    size_t count() {
        std::lock_guard<std::mutex> g(mu);
        return states.size();
    }
    json state(size_t i) {
        std::lock_guard<std::mutex> g(mu);
        return states.at(i);
    }

    void take(int c) {
        std::string text;
        int fd = -1;
        for (;;) {
            char buf[4096];
            int got = -1;
            ssize_t n = docklock::sync::recvmsg_fd(c, buf, sizeof buf, &got);
            if (n <= 0) break;
            if (got >= 0) fd = got;  // the listener rides on the first message only
            text.append(buf, static_cast<size_t>(n));
        }
        close(c);
        char link[256] = {};
        if (fd >= 0) readlink(("/proc/self/fd/" + std::to_string(fd)).c_str(), link, sizeof link - 1);
        std::lock_guard<std::mutex> g(mu);
        states.push_back(json::parse(text, nullptr, false));
        fd_kinds.push_back(link);
        if (fd >= 0) notify_fds.push_back(fd);
    }

    void loop() {
        while (!stop) {
            std::vector<pollfd> p{{lfd, POLLIN, 0}};
            for (int fd : notify_fds) p.push_back({fd, POLLIN, 0});
            if (poll(p.data(), p.size(), 100) <= 0) continue;
            if (p[0].revents & POLLIN) take(accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC));
            for (size_t i = 1; i < p.size(); ++i) {
                int fd = p[i].fd;
                if (p[i].revents & POLLIN) {
                    seccomp_notif req{};
                    if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) continue;
                    seccomp_notif_resp resp{};
                    resp.id = req.id;
                    if (req.data.args[0] == 1)
                        resp.error = -ENOMSG_;
                    else
                        resp.val = 4242;
                    if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0) ++answered;
                } else if (p[i].revents & (POLLHUP | POLLERR)) {
                    close(fd);
                    std::lock_guard<std::mutex> g(mu);
                    notify_fds.erase(std::find(notify_fds.begin(), notify_fds.end(), fd));
                }
            }
        }
        for (int fd : notify_fds) close(fd);
    }
    std::vector<int> notify_fds;
};

json notify_profile(const std::string& listener) {
    json p = profile("SCMP_ACT_ALLOW", {rule({"getppid"}, "SCMP_ACT_NOTIFY")});
    p["listenerPath"] = listener;
    p["listenerMetadata"] = "MKNOD=/dev/null;docklock-test";
    return p;
}

void check_process_state(const json& cps, const std::string& id, const std::string& status) {
    INFO(cps.dump());
    CHECK(cps["ociVersion"].get<std::string>().rfind("1.", 0) == 0);
    CHECK(cps["fds"] == json::array({"seccompFd"}));
    CHECK(cps["pid"].get<int>() > 0);
    CHECK(cps["metadata"] == "MKNOD=/dev/null;docklock-test");
    CHECK(cps["state"]["id"] == id);
    CHECK(cps["state"]["status"] == status);
    CHECK(cps["state"]["pid"].get<int>() > 0);
    CHECK(cps["state"]["ociVersion"].is_string());
    CHECK(cps["state"]["bundle"].is_string());
}

}  // namespace

TEST_CASE("seccomp: SCMP_ACT_NOTIFY - the agent at listenerPath gets the fd and the state and answers", "[seccomp]") {
    for (bool nnp : {true, false}) {
        Agent agent;
        Bundle b;
        b.config["process"]["noNewPrivileges"] = nnp;
        add_probe(b);
        b.config["linux"]["seccomp"] = notify_profile(agent.path);
        b.args({"/probe", "sys:110", "sys:110:1", "sys:39"});
        Result r = b.run();
        INFO("noNewPrivileges " << nnp);
        REQUIRE(r.code == 0);
        CHECK(r.out.rfind("sys:110=4242\nsys:110:1=ENOMSG\nsys:39=", 0) == 0);  // the agent's answers, seen inside
        REQUIRE(agent.count() == 1);
        json cps = agent.state(0);
        check_process_state(cps, b.id, "creating");
        CHECK(cps["pid"] == cps["state"]["pid"]);
        CHECK(cps["state"]["bundle"] == b.dir);
        CHECK(agent.fd_kinds[0] == "anon_inode:seccomp notify");
        CHECK(agent.answered == 2);
    }
}

TEST_CASE("seccomp: exec under a NOTIFY profile hands its own listener to the agent (as runc)", "[seccomp]") {
    Agent agent;
    Bundle b;
    add_probe(b);
    b.config["linux"]["seccomp"] = notify_profile(agent.path);
    b.args({"sleep", "30"});
    REQUIRE(b.create().code == 0);
    REQUIRE(harness::docklock({"start", b.id}).code == 0);
    REQUIRE(agent.count() == 1);
    Result e = harness::docklock({"exec", b.id, "/probe", "sys:110"});
    REQUIRE(e.code == 0);
    CHECK(e.out == "sys:110=4242\n");
    REQUIRE(agent.count() == 2);
    json init = agent.state(0), ex = agent.state(1);
    check_process_state(ex, b.id, "running");
    CHECK(ex["state"]["pid"] == init["pid"]);  // the container's init
    CHECK(ex["pid"] != init["pid"]);           // the exec'd process
}

TEST_CASE("seccomp: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV with a listener", "[seccomp]") {
    if (!::docklock::seccomp::flag_supported("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV")) {
        std::cout << "SKIP: this kernel has no SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (Linux 5.19+)\n";
        std::exit(77);
    }
    Agent agent;
    Bundle b;
    add_probe(b);
    json p = notify_profile(agent.path);
    p["flags"] = {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", "SECCOMP_FILTER_FLAG_TSYNC"};
    b.config["linux"]["seccomp"] = p;
    b.args({"/probe", "sys:110"});
    Result r = b.run();
    REQUIRE(r.code == 0);
    CHECK(r.out == "sys:110=4242\n");
}

TEST_CASE("seccomp: an unreachable listenerPath fails create naming it and leaves nothing behind", "[seccomp]") {
    Bundle b;
    b.config["linux"]["seccomp"] = notify_profile(b.dir + "/no-agent.sock");
    b.args({"true"});
    Result r = b.create();
    CHECK(r.code != 0);
    CHECK_THAT(r.err, Catch::Contains("linux.seccomp.listenerPath"));
    CHECK_THAT(r.err, Catch::Contains(b.dir + "/no-agent.sock"));
    CHECK_FALSE(exists(state_root() + "/" + b.id));
    for (const char* c : {"pids", "memory", "cpu", "freezer"})
        CHECK_FALSE(exists(std::string("/sys/fs/cgroup/") + c + "/docklock-test/" + b.id));
    CHECK(harness::run({"pgrep", "-f", b.dir}).out.empty());

    Bundle b2;  // NOTIFY without listenerPath: refused as runc does
    json p = notify_profile("");
    p.erase("listenerPath");
    p.erase("listenerMetadata");
    b2.config["linux"]["seccomp"] = p;
    b2.args({"true"});
    r = b2.create();
    CHECK(r.code != 0);
    CHECK_THAT(r.err, Catch::Contains("listenerPath is not set"));
    CHECK_FALSE(exists(state_root() + "/" + b2.id));
}

// ---- the BPF cache in <state root>/seccomp-cache ----

TEST_CASE("seccomp: the compiled filter is cached by profile - a tampered entry is rejected and recompiled", "[seccomp]") {
    // A profile no other test uses: its own errno makes its own cache key.
    json p = profile("SCMP_ACT_ALLOW", {rule({"sched_yield"}, "SCMP_ACT_ERRNO", {{"errnoRet", 77}})});
    auto once = [&]() {
        Bundle b;
        add_probe(b);
        b.config["linux"]["seccomp"] = p;
        b.args({"/probe", "sys:24", "sys:39"});
        b.write();
        Result r = harness::docklock({"--debug", "run", "--bundle", b.dir, b.id});
        REQUIRE(r.code == 0);
        CHECK_THAT(r.out, Catch::Matches("sys:24=EBADFD\nsys:39=[0-9]+\n"));  // 77: the profile, every time
        return r.err;
    };
    std::string first = once();
    CHECK_THAT(first, Catch::Contains("seccomp: cache miss"));
    std::string second = once();
    CHECK_THAT(second, Catch::Contains("seccomp: cache hit"));
    CHECK_THAT(second, !Catch::Contains("seccomp: cache miss"));

    const std::string dir = state_root() + "/seccomp-cache";
    struct stat st;
    REQUIRE(stat(dir.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    std::string key = first.substr(first.find("seccomp: cache miss ") + 20, 16);
    const std::string entry = dir + "/" + key + ".bpf";
    REQUIRE(stat(entry.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);

    // Flip one byte of the stored program: the checksum no longer matches, the entry is recompiled.
    std::string bytes = read(entry);
    bytes[bytes.size() - 12] ^= 0x5a;
    { std::ofstream(entry, std::ios::binary | std::ios::trunc) << bytes; }
    std::string third = once();
    CHECK_THAT(third, Catch::Contains("seccomp: cache entry " + entry + " rejected (checksum mismatch): recompiling"));
    CHECK_THAT(third, Catch::Contains("seccomp: cache miss " + key));
    CHECK_THAT(once(), Catch::Contains("seccomp: cache hit " + key));

    // Garbage in place of the entry: ignored the same way, never an error.
    { std::ofstream(entry, std::ios::trunc) << "not bpf"; }
    CHECK_THAT(once(), Catch::Contains("rejected (not a docklock seccomp cache entry)"));
}
