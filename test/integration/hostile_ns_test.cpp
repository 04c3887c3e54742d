// Hostile config.json (and process.json) against the builtin baseline, as a client of dockerd or
// containerd who writes the config would try it (issue 14): namespaces, hooks, process fields, exec.
// Each case asserts the SAFE behaviour, from inside the container and from the host; evidence is
// always harmless (marker files in the bundle, a uts namespace of the test's own).
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <thread>

#include "harness.hpp"

using namespace harness;
using nlohmann::json;

namespace {

std::string ns_link(const std::string& path) {
    char buf[64] = {};
    ssize_t n = readlink(path.c_str(), buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

// Give (or replace) the namespace `type` of the bundle's config a path ("" for a new one).
void set_ns(Bundle& b, const std::string& type, const std::string& path) {
    json& ns = b.config["linux"]["namespaces"];
    for (auto& n : ns)
        if (n["type"] == type) {
            if (path.empty())
                n.erase("path");
            else
                n["path"] = path;
            return;
        }
    json n{{"type", type}};
    if (!path.empty()) n["path"] = path;
    ns.push_back(n);
}

// Nothing of a refused create is left: no state dir, no cgroup.
void check_nothing_left(const Bundle& b) {
    CHECK_FALSE(exists(state_root() + "/" + b.id));
    CHECK_FALSE(exists("/sys/fs/cgroup/pids/docklock-test/" + b.id));
    CHECK_FALSE(exists("/sys/fs/cgroup/memory/docklock-test/" + b.id));
}

// A process of the test's own (`unshare --X sleep`), killed by pid when the test ends.
struct Helper {
    pid_t pid = -1;
    explicit Helper(const std::vector<std::string>& argv, const std::string& ns = "") {
        pid = fork();
        if (pid == 0) {
            std::vector<char*> a;
            for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
            a.push_back(nullptr);
            execvp(a[0], a.data());
            _exit(127);
        }
        // Until it runs in its own namespace of that kind (unshare has unshared and exec'd).
        for (int i = 0; i < 200 && !ns.empty(); ++i) {
            std::string mine = ns_link("/proc/self/ns/" + ns), theirs = ns_link(ns_path(ns));
            if (!theirs.empty() && theirs != mine) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    std::string ns_path(const std::string& ns) const { return "/proc/" + std::to_string(pid) + "/ns/" + ns; }
    ~Helper() {
        if (pid > 0) {
            kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
        }
    }
};

std::string own_oom_score_adj() {
    return trim(read("/proc/self/oom_score_adj"));
}

int init_pid(const std::string& id) {
    Result r = docklock({"state", id});
    if (r.code != 0) return -1;
    return json::parse(r.out).value("pid", -1);
}

}  // namespace

// ---- namespaces ----------------------------------------------------------------------------------

TEST_CASE("hostile: a hostname or domainname with the host's uts namespace joined by path does not rename the host",
          "[hostile]") {
    // docklock runs in a uts namespace of the test's own: "the host's" is that one, so the evidence
    // (a renamed host) is harmless. /proc/self/ns/uts in the config names docklock's own.
    for (const char* field : {"hostname", "domainname"}) {
        UsePolicy policy("builtin");
        Bundle b;
        set_ns(b, "uts", "/proc/self/ns/uts");
        b.config.erase("hostname");
        b.config[field] = "hostile-name";
        b.sh("echo inside=$(cat /proc/sys/kernel/hostname)/$(cat /proc/sys/kernel/domainname)");
        b.write();
        std::string cmd = "echo before-h > /proc/sys/kernel/hostname && echo before-d > /proc/sys/kernel/domainname && " +
                          std::string(DOCKLOCK_BIN) + " --root " + state_root() + " --policy builtin run --bundle " + b.dir +
                          " " + b.id +
                          "; echo rc=$?; echo after=$(cat /proc/sys/kernel/hostname)/$(cat /proc/sys/kernel/domainname)";
        Result r = run({"unshare", "--uts", "sh", "-c", cmd});
        INFO(field << "\n" << r.out << r.err);
        REQUIRE(r.code == 0);
        CHECK_THAT(r.out, Catch::Contains("after=before-h/before-d"));  // the "host" keeps its names
        CHECK_THAT(r.out, !Catch::Contains("inside=hostile-name") && !Catch::Contains("/hostile-name"));
        if (r.out.find("rc=0") == std::string::npos) {
            CHECK_THAT(r.err, Catch::Contains(field));
            check_nothing_left(b);
        }
    }
}

TEST_CASE("hostile: a namespace path flipped to the host's between the check and the join joins what was judged", "[hostile]") {
    // The config names a symlink to a private ipc namespace; once docklock has judged it, the link
    // is flipped to the host's (/proc/self/ns/ipc: docklock's own, refused by namespaces.ipc). docklock is held between
    // its decision and its setns by --console-socket: a listener with a full backlog blocks its
    // connect until the flip is done.
    UsePolicy policy("builtin");
    Helper priv({"unshare", "--ipc", "sleep", "60"}, "ipc");
    std::string priv_ns = ns_link(priv.ns_path("ipc")), host_ns = ns_link("/proc/self/ns/ipc");
    REQUIRE(priv_ns != host_ns);
    Bundle b;
    std::string link = b.dir + "/ipc-ns";
    REQUIRE(symlink(priv.ns_path("ipc").c_str(), link.c_str()) == 0);
    set_ns(b, "ipc", link);
    b.sh("readlink /proc/self/ns/ipc > /ipc.txt; sleep 30");

    std::string sock_path = b.dir + "/console.sock";
    int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock_path.c_str());
    REQUIRE(bind(ls, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
    REQUIRE(listen(ls, 0) == 0);
    int filler = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(connect(filler, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);  // the backlog is full now

    std::thread flipper([&] {
        // docklock reserves its state dir after the decision and before it connects.
        for (int i = 0; i < 1000 && !exists(state_root() + "/" + b.id); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        std::string tmp = link + ".new";
        symlink("/proc/self/ns/ipc", tmp.c_str());
        rename(tmp.c_str(), link.c_str());
        int a = accept4(ls, nullptr, nullptr, SOCK_CLOEXEC);  // the filler
        int c = accept4(ls, nullptr, nullptr, SOCK_CLOEXEC);  // docklock, released
        std::this_thread::sleep_for(std::chrono::milliseconds(2000));
        close(a);
        close(c);
    });
    Result r = b.create({"--console-socket", sock_path});
    flipper.join();
    close(filler);
    close(ls);
    INFO(r.err);
    REQUIRE(ns_link(link) != priv_ns);  // the flip happened
    if (r.code != 0) {
        check_nothing_left(b);
        return;
    }
    int pid = init_pid(b.id);
    REQUIRE(pid > 0);
    CHECK(ns_link("/proc/" + std::to_string(pid) + "/ns/ipc") == priv_ns);  // from the host
    REQUIRE(docklock({"start", b.id}).code == 0);
    for (int i = 0; i < 100 && !exists(b.dir + "/rootfs/ipc.txt"); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::string inside = trim(read(b.dir + "/rootfs/ipc.txt"));
    CHECK(inside == priv_ns);  // from inside
    CHECK(inside != host_ns);
}

TEST_CASE("hostile: the host's pid, mount and user namespaces and another process's user namespace are refused", "[hostile]") {
    UsePolicy policy("builtin");
    Helper user({"unshare", "--user", "sleep", "60"}, "user");
    for (auto [type, path] : std::vector<std::pair<std::string, std::string>>{{"pid", "/proc/self/ns/pid"},
                                                                              {"mount", "/proc/self/ns/mnt"},
                                                                              {"user", "/proc/self/ns/user"},
                                                                              {"user", user.ns_path("user")}}) {
        Bundle b;
        set_ns(b, type, path);
        if (type == "user") {
            b.config["linux"]["uidMappings"] = {{{"containerID", 0}, {"hostID", 0}, {"size", 65536}}};
            b.config["linux"]["gidMappings"] = {{{"containerID", 0}, {"hostID", 0}, {"size", 65536}}};
        }
        std::string marker = b.dir + "/rootfs/ran";
        b.sh("touch /ran");
        Result r = b.run();
        INFO(type << " " << path << "\n" << r.err);
        CHECK(r.code != 0);
        CHECK_THAT(r.err, Catch::Contains("linux.namespaces[") && Catch::Contains("].path"));
        CHECK_FALSE(exists(marker));  // nothing ran inside
        check_nothing_left(b);
    }
}

TEST_CASE("hostile: a namespace path that is not a namespace, of another type, or of a process gone is refused", "[hostile]") {
    UsePolicy policy("builtin");
    pid_t gone = fork();
    if (gone == 0) _exit(0);
    waitpid(gone, nullptr, 0);
    for (auto [type, path] : std::vector<std::pair<std::string, std::string>>{
             {"ipc", "/etc/hostname"},      // a regular file
             {"ipc", "/proc/self/ns/net"},  // the host's network namespace declared as ipc
             {"pid", "/proc/" + std::to_string(gone) + "/ns/pid"},
             {"network", "/proc/self/ns/uts"}}) {
        Bundle b;
        set_ns(b, type, path);
        b.sh("touch /ran");
        Result r = b.run();
        INFO(type << " " << path << "\n" << r.err);
        CHECK(r.code != 0);
        CHECK_THAT(r.err, Catch::Contains("linux.namespaces["));
        CHECK_FALSE(exists(b.dir + "/rootfs/ran"));
        check_nothing_left(b);
    }
}

TEST_CASE("hostile: the host's cgroup namespace by path becomes a new one rooted at the container's cgroup", "[hostile]") {
    UsePolicy policy("builtin");
    Bundle b;
    set_ns(b, "cgroup", "/proc/self/ns/cgroup");  // docklock's own: the host's
    b.sh("echo ns=$(readlink /proc/self/ns/cgroup); grep pids /proc/self/cgroup");
    b.write();
    Result r = docklock({"--debug", "run", "--bundle", b.dir, b.id});  // findings on stderr with --debug
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, !Catch::Contains("ns=" + ns_link("/proc/self/ns/cgroup")));
    CHECK_THAT(r.out, Catch::Contains(":pids:/\n"));  // rooted at its own cgroup: the host's tree is not seen
    CHECK_THAT(r.err, Catch::Contains("namespaces.cgroup"));
}

// ---- hooks -----------------------------------------------------------------------------------------

TEST_CASE("hostile: an allowlisted hook cannot be made to load the client's code through its environment", "[hostile]") {
    // /usr/bin/containerd is on the builtin allowlist, root-owned and dynamically linked: a client's
    // LD_PRELOAD (a library shipped in the image) would run as host root with every capability.
    const std::string hook = "/usr/bin/containerd";
    if (!exists(hook)) {
        std::cout << "SKIP: no " << hook << " (an allowlisted, dynamically linked hook executable) on this host\n";
        std::exit(77);
    }
    UsePolicy policy("builtin");
    for (const char* phase : {"prestart", "createRuntime", "poststart", "poststop"}) {
        for (const char* var : {"LD_PRELOAD", "LD_AUDIT"}) {
            Bundle b;
            std::string lib = b.dir + "/rootfs/libhostile.so", marker = b.dir + "/marker";
            REQUIRE(run({"cp", PRELOAD_MARKER, lib}).code == 0);
            b.config["hooks"][phase] = {{{"path", hook},
                                         {"args", {"containerd", "--version"}},
                                         {"env", {std::string(var) + "=" + lib, "DOCKLOCK_MARKER=" + marker}}}};
            b.sh("true");
            Result r = b.run();
            INFO(phase << " " << var << "\n" << r.err);
            CHECK_FALSE(exists(marker));  // the client's library never ran as host root
            if (r.code != 0) {
                CHECK_THAT(r.err, Catch::Contains(std::string("hooks.") + phase + "[0]"));
                check_nothing_left(b);
            }
        }
    }
}

TEST_CASE("hostile: a hook named dockerd in /tmp or in the rootfs never runs", "[hostile]") {
    UsePolicy policy("builtin");
    char tmpl[] = "/tmp/docklock-hostile-XXXXXX";
    std::string tmp = mkdtemp(tmpl);
    for (int where = 0; where < 3; ++where) {
        Bundle b;
        std::string marker = b.dir + "/marker";
        std::string path = where == 0   ? tmp + "/dockerd"
                           : where == 1 ? b.dir + "/rootfs/usr/bin/dockerd"
                                        : b.dir + "/rootfs/usr/sbin/dockerd";
        run({"mkdir", "-p", path.substr(0, path.rfind('/'))});
        std::ofstream(path) << "#!/bin/sh\ntouch " << marker << "\n";
        chmod(path.c_str(), 0755);
        b.config["hooks"]["prestart"] = {{{"path", path}, {"args", {"dockerd"}}}};
        if (where == 2) {
            // A symlink in /tmp to the rootfs's copy: the kernel's path of the opened file is judged.
            std::string l = tmp + "/usr-sbin-dockerd";
            symlink(path.c_str(), l.c_str());
            b.config["hooks"]["prestart"][0]["path"] = l;
        }
        b.sh("true");
        Result r = b.run();
        INFO(path << "\n" << r.err);
        CHECK(r.code != 0);
        CHECK_THAT(r.err, Catch::Contains("hooks.prestart[0]"));
        CHECK_FALSE(exists(marker));
        check_nothing_left(b);
    }
    run({"rm", "-rf", tmp});
}

TEST_CASE("hostile: createContainer and startContainer hooks are refused, even of an allowlisted executable", "[hostile]") {
    UsePolicy policy("builtin");
    for (const char* phase : {"createContainer", "startContainer"}) {
        Bundle b;
        // Inside the container /bin/sh is the rootfs's; the allowlisted name is what a client would use.
        b.config["hooks"][phase] = {{{"path", "/usr/bin/containerd"}, {"args", {"containerd", "--version"}}},
                                    {{"path", "/bin/sh"}, {"args", {"sh", "-c", "touch /hook-ran"}}}};
        b.sh("touch /ran");
        Result r = b.run();
        INFO(phase << "\n" << r.err);
        CHECK(r.code != 0);
        CHECK_THAT(r.err, Catch::Contains(std::string("hooks.") + phase + "[0]"));
        CHECK_FALSE(exists(b.dir + "/rootfs/hook-ran"));
        CHECK_FALSE(exists(b.dir + "/rootfs/ran"));
        check_nothing_left(b);
    }
}

// ---- process fields and exec -----------------------------------------------------------------------

TEST_CASE("hostile: an oomScoreAdj below the runtime's at create becomes the runtime's, with a finding", "[hostile]") {
    UsePolicy policy("builtin");
    Bundle b;
    b.config["process"]["oomScoreAdj"] = -1000;
    b.sh("echo oom=$(cat /proc/self/oom_score_adj)");
    b.write();
    Result r = docklock({"--debug", "run", "--bundle", b.dir, b.id});  // findings on stderr with --debug
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("oom=" + own_oom_score_adj() + "\n"));  // from inside
    CHECK_THAT(r.err, Catch::Contains("oom_score_adj"));                      // the finding
}

TEST_CASE("hostile: exec's process.json cannot set an oomScoreAdj below the runtime's", "[hostile]") {
    UsePolicy policy("builtin");
    Bundle b;
    b.sh("sleep 30");
    REQUIRE(b.create().code == 0);
    REQUIRE(docklock({"start", b.id}).code == 0);
    json p = b.config["process"];
    p["args"] = {"sh", "-c", "echo oom=$(cat /proc/self/oom_score_adj); sleep 1"};
    p["oomScoreAdj"] = -1000;
    std::string file = b.dir + "/process.json";
    std::ofstream(file) << p.dump();
    Result r = docklock({"--debug", "exec", "--process", file, b.id});  // findings on stderr with --debug
    INFO(r.out << r.err);
    if (r.code == 0) {
        CHECK_THAT(r.out, Catch::Contains("oom=" + own_oom_score_adj() + "\n"));  // from inside
        CHECK_THAT(r.err, Catch::Contains("oom_score_adj"));
    } else {
        CHECK_THAT(r.err, Catch::Contains("oomScoreAdj"));
    }
    // From the host: the container's init kept the runtime's score too.
    int pid = init_pid(b.id);
    REQUIRE(pid > 0);
    CHECK(trim(read("/proc/" + std::to_string(pid) + "/oom_score_adj")) == own_oom_score_adj());
}

TEST_CASE("hostile: rlimits that grant what a withheld capability would are lowered to the runtime's own", "[hostile]") {
    UsePolicy policy("builtin");
    rlimit own{};
    REQUIRE(getrlimit(RLIMIT_MEMLOCK, &own) == 0);
    REQUIRE(own.rlim_max != RLIM_INFINITY);
    Bundle b;
    const uint64_t huge = uint64_t{1} << 40;
    b.config["process"]["rlimits"] = json::array({{{"type", "RLIMIT_MEMLOCK"}, {"hard", huge}, {"soft", huge}}});
    b.sh("grep 'Max locked memory' /proc/self/limits");
    b.write();
    Result r = docklock({"--debug", "run", "--bundle", b.dir, b.id});
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains(std::to_string(own.rlim_max)));  // from inside: capped
    CHECK_THAT(r.out, !Catch::Contains(std::to_string(huge)));
    CHECK_THAT(r.err, Catch::Contains("rlimits"));  // the finding
}

TEST_CASE("hostile: an allowed hook executable runs only with the arguments the allowlist pins", "[hostile]") {
    char tmpl[] = "/tmp/docklock-hookargs-XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    std::string dir = tmpl;
    chmod(dir.c_str(), 0755);
    std::string fake = dir + "/dockerd";
    REQUIRE(run({"cp", PROBE_BIN, fake}).code == 0);
    chmod(fake.c_str(), 0755);
    std::string policy_file = dir + "/policy.yaml";
    std::ofstream(policy_file) << "controls:\n  hooks:\n    mode: reject\n    allow: [\"" << fake << " libnetwork-setkey\"]\n";
    UsePolicy policy(policy_file);
    auto with_hook = [&](Bundle& b, std::vector<std::string> args) {
        b.config["hooks"]["prestart"] = json::array({{{"path", fake}, {"args", args}}});
    };
    Bundle daemon;  // dockerd as a second daemon with the client's flags: refused
    with_hook(daemon, {"dockerd", "-H", "unix://" + daemon.dir + "/d.sock", "--data-root", daemon.dir});
    Result r = daemon.create();
    INFO(r.out << r.err);
    CHECK(r.code != 0);
    CHECK_THAT(r.err, Catch::Contains("refused by control \"hooks\"") && Catch::Contains("not an allowed call"));
    CHECK_FALSE(exists(state_root() + "/" + daemon.id));
    Bundle setkey;  // its libnetwork-setkey re-exec (the probe stands in: it just reports and exits 0)
    with_hook(setkey, {"libnetwork-setkey", "chown"});
    Result ok = setkey.create();
    INFO(ok.out << ok.err);
    CHECK(ok.code == 0);
    run({"rm", "-rf", dir});
}
