// Docker 20.10's real config.json files and the exact command lines its shim sends.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>
#include <iostream>

#include "harness.hpp"
#include "libcontainer/process/sync.hpp"

using namespace harness;
using nlohmann::json;

struct ConsoleSocket {
    int listen_fd = -1;
    std::string path;
    explicit ConsoleSocket(const std::string& p) : path(p) {
        listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::snprintf(a.sun_path, sizeof a.sun_path, "%s", p.c_str());
        REQUIRE(bind(listen_fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        REQUIRE(listen(listen_fd, 1) == 0);
    }
    ~ConsoleSocket() { close(listen_fd); }
    // Accept the runtime's connection and take the pty master it sends.
    int receive_master() {
        pollfd p{listen_fd, POLLIN, 0};
        if (poll(&p, 1, 10000) != 1) return -1;
        int c = accept(listen_fd, nullptr, nullptr);
        int fd = docklock::sync::recv_fd(c);  // the pty master, as dockerd's console socket gets it
        close(c);
        return fd;
    }
};

static std::string read_until(int fd, const std::string& needle, int ms) {
    std::string out;
    while (out.find(needle) == std::string::npos) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, ms) != 1) break;
        char buf[512];
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    return out;
}

TEST_CASE("dockerd 20.10 shim command lines work end to end on default.json") {
    Bundle b;
    use_fixture(b, "default");
    b.config["process"]["args"] = {"sleep", "60"};
    b.write();
    std::string root = b.dir + "/moby-root", log = b.dir + "/log.json";
    auto shim = [&](std::vector<std::string> cmd) {
        std::vector<std::string> a{DOCKLOCK_BIN, "--root", root, "--log", log, "--log-format", "json"};
        a.insert(a.end(), cmd.begin(), cmd.end());
        Result r = run(a);
        if (r.code != 0) std::cerr << r.err;
        return r;
    };
    REQUIRE(shim({"create", "--bundle", b.dir, "--pid-file", b.dir + "/init.pid", b.id}).code == 0);
    REQUIRE(shim({"start", b.id}).code == 0);
    int pid = std::stoi(read(b.dir + "/init.pid"));
    CHECK(alive(pid));
    // docker exec: a full process JSON, detached, pid file
    json proc = b.config["process"];
    proc["args"] = {"sh", "-c", "echo exec-ok > /tmp/exec-ok"};
    std::ofstream(b.dir + "/process.json") << proc.dump();
    REQUIRE(shim({"exec", "--process", b.dir + "/process.json", "--detach", "--pid-file", b.dir + "/e1.pid", b.id}).code == 0);
    for (int i = 0; i < 100 && !exists("/proc/" + std::to_string(pid) + "/root/tmp/exec-ok"); ++i) usleep(20000);
    CHECK(trim(read("/proc/" + std::to_string(pid) + "/root/tmp/exec-ok")) == "exec-ok");
    // docker exec -t: the pty master comes back over the console socket
    ConsoleSocket cs(b.dir + "/pty.sock");
    proc["terminal"] = true;
    proc["args"] = {"sh", "-c", "tty; echo tty-ok; sleep 1"};
    std::ofstream(b.dir + "/process-tty.json") << proc.dump();
    REQUIRE(shim({"exec", "--process", b.dir + "/process-tty.json", "--console-socket", cs.path, "--detach", "--pid-file",
                  b.dir + "/e2.pid", b.id})
                .code == 0);
    int master = cs.receive_master();
    REQUIRE(master >= 0);
    std::string out = read_until(master, "tty-ok", 5000);
    CHECK_THAT(out, Catch::Contains("/dev/pts/") && Catch::Contains("tty-ok"));
    close(master);
    // docker stop / rm
    REQUIRE(shim({"kill", b.id, "9"}).code == 0);
    for (int i = 0; i < 100 && alive(pid); ++i) usleep(20000);
    REQUIRE(shim({"delete", b.id}).code == 0);
    CHECK_FALSE(exists(root + "/" + b.id));
    // delete --force of a running container
    REQUIRE(shim({"create", "--bundle", b.dir, "--pid-file", b.dir + "/init.pid", b.id}).code == 0);
    REQUIRE(shim({"start", b.id}).code == 0);
    REQUIRE(shim({"delete", "--force", b.id}).code == 0);
    CHECK_FALSE(exists(root + "/" + b.id));
}

TEST_CASE("default.json runs with Docker's seccomp profile: blocked calls get EPERM") {
    Bundle b;
    use_fixture(b, "default");
    b.config["process"]["args"] = {
        "sh", "-c", "grep -E '^(Seccomp|CapEff)' /proc/self/status; unshare -U true 2>&1; hostname; cat /etc/hostname"};
    Result r = b.run();
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("Seccomp:\t2"));
    CHECK_THAT(r.out, Catch::Contains("CapEff:\t00000000a80425fb"));  // Docker's 14 default capabilities
    CHECK_THAT(r.out, Catch::Contains("Operation not permitted"));
    CHECK_THAT(r.out, Catch::EndsWith("ad0653164789\nfixture-host\n"));  // spec hostname; /etc/hostname bind
}

TEST_CASE("limits.json runs with its limits in the v1 hierarchies") {
    Bundle b;
    use_fixture(b, "limits");
    b.config["process"]["args"] = {"sleep", "30"};
    REQUIRE(b.run({"--detach"}).code == 0);
    int pid = json::parse(harness::docklock({"state", b.id}).out)["pid"];
    auto cg = [&](const char* ctl, const char* file) { return trim(read(cgroup_dir_of(pid, ctl) + "/" + file)); };
    CHECK(cgroup_dir_of(pid, "memory") == "/sys/fs/cgroup/memory/docklock-test/" + b.id);
    CHECK(cg("memory", "memory.limit_in_bytes") == "67108864");
    CHECK(cg("pids", "pids.max") == "50");
    CHECK(cg("cpu", "cpu.cfs_quota_us") == "50000");
    CHECK(cg("cpu", "cpu.cfs_period_us") == "100000");
    CHECK(cg("cpuset", "cpuset.cpus") == "0");
    std::string status = read("/proc/" + std::to_string(pid) + "/status");
    CHECK_THAT(status, Catch::Contains("Uid:\t1000\t1000\t1000\t1000"));
    Result ro = harness::docklock({"exec", b.id, "sh", "-c", "touch /x 2>&1; echo"});
    CHECK_THAT(ro.out, Catch::Contains("Read-only file system"));
}

TEST_CASE("privileged.json and capadd-all.json run: capabilities outside the host's bounding set are dropped and reported") {
    for (const char* f : {"privileged", "capadd-all"}) {
        Bundle b;
        use_fixture(b, f);
        b.config["process"]["args"] = {"sh", "-c", "grep CapEff /proc/self/status"};
        std::string log = b.dir + "/log";
        b.write();
        Result r = harness::docklock({"--log", log, "run", "--bundle", b.dir, b.id});
        INFO(f << ": " << r.err);
        REQUIRE(r.code == 0);
        // CAP_SYS_RESOURCE (24) is not in this host's bounding set; runc and crun fail here
        unsigned long long eff = std::stoull(r.out.substr(r.out.find('\t') + 1), nullptr, 16);
        unsigned long long bnd = 0;
        std::string self = read("/proc/self/status");
        bnd = std::stoull(self.substr(self.find("CapBnd:\t") + 8, 16), nullptr, 16);
        CHECK((eff & ~bnd) == 0);
        CHECK_THAT(read(log), Catch::Contains("host.capabilities"));
    }
}
