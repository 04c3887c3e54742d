// The container process: args, env, cwd, user, umask, rlimits, oom_score_adj, sysctl, caps, fds.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <iostream>

#include "harness.hpp"

using namespace harness;
using nlohmann::json;

TEST_CASE("args resolve through PATH and env and cwd are exact") {
    Bundle b;
    b.config["process"]["env"] = {"PATH=/bin:/usr/bin", "FOO=bar baz"};
    b.config["process"]["cwd"] = "/tmp";
    b.sh("echo \"$FOO\"; pwd; env | sort");
    Result r = b.run();
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Catch::StartsWith("bar baz\n/tmp\n"));
    CHECK_THAT(r.out, Catch::Contains("FOO=bar baz\n") && Catch::Contains("PATH=/bin:/usr/bin\n"));
}

TEST_CASE("a missing executable fails create with a clear error and leaves nothing") {
    Bundle b;
    b.args({"no-such-binary"});
    Result r = b.create();
    CHECK(r.code != 0);
    CHECK_THAT(r.err, Catch::Contains("executable file not found") && Catch::Contains("no-such-binary"));
    CHECK_FALSE(exists(state_root() + "/" + b.id));
    CHECK_FALSE(exists("/sys/fs/cgroup/pids/docklock-test/" + b.id));
}

TEST_CASE("a command path that is not executable or missing fails in runc's words") {
    // The docker CLI maps these, case-sensitively, to exit status 126 and 127.
    Bundle b;
    b.args({"/etc/passwd"});
    Result r = b.create();
    CHECK(r.code != 0);
    CHECK_THAT(r.err, Catch::Contains("exec: \"/etc/passwd\": permission denied"));
    Bundle m;
    m.args({"/no/such/file"});
    r = m.create();
    CHECK(r.code != 0);
    CHECK_THAT(r.err, Catch::Contains("exec: \"/no/such/file\": stat /no/such/file: no such file or directory"));
    CHECK_FALSE(exists(state_root() + "/" + m.id));
}

TEST_CASE("a network namespace made for the container has its loopback up") {
    Bundle b;  // runc's template: a new network namespace
    b.sh("cat /sys/class/net/lo/flags; ls /sys/class/net");
    Result r = b.run();
    REQUIRE(r.code == 0);
    CHECK(r.out == "0x9\nlo\n");  // IFF_UP | IFF_LOOPBACK, and no other interface
}

TEST_CASE("user: uid and gid and additional gids and umask") {
    Bundle b;
    b.config["process"]["user"] = {{"uid", 1000}, {"gid", 1000}, {"additionalGids", {5, 65534}}, {"umask", 077}};
    b.sh("id -u; id -g; id -G; umask; touch /tmp/f; stat -c %a /tmp/f; grep -E '^(Uid|Gid|Groups)' /proc/self/status");
    Result r = b.run();
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Catch::StartsWith("1000\n1000\n1000 5 65534\n0077\n600\n"));
    CHECK_THAT(r.out, Catch::Contains("Uid:\t1000\t1000\t1000\t1000"));
    CHECK_THAT(r.out, Catch::Contains("Groups:\t5 65534"));
}

TEST_CASE("rlimits and oomScoreAdj are applied") {
    Bundle b;
    b.config["process"]["rlimits"] = {{{"type", "RLIMIT_NOFILE"}, {"soft", 321}, {"hard", 654}},
                                      {{"type", "RLIMIT_NPROC"}, {"soft", 77}, {"hard", 88}}};
    b.config["process"]["oomScoreAdj"] = 345;
    b.sh("ulimit -n; ulimit -Hn; grep 'Max processes' /proc/self/limits; cat /proc/self/oom_score_adj");
    Result r = b.run();
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Catch::StartsWith("321\n654\n"));
    CHECK_THAT(r.out, Catch::Contains("77                   88"));
    CHECK_THAT(r.out, Catch::EndsWith("345\n"));
}

TEST_CASE("sysctl writes namespaced kernel parameters") {
    Bundle b;
    b.config["linux"]["sysctl"] = {{"net.ipv4.ip_forward", "1"}, {"kernel.shmmax", "12345678"}};
    b.sh("cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax");
    Result r = b.run();
    REQUIRE(r.code == 0);
    CHECK(r.out == "1\n12345678\n");
}

TEST_CASE("capabilities: exactly the requested sets and nothing when none are given") {
    Bundle b;
    json caps = {"CAP_CHOWN", "CAP_KILL"};
    b.config["process"]["capabilities"] = {
        {"bounding", caps}, {"effective", caps}, {"permitted", caps}, {"inheritable", json::array()}, {"ambient", json::array()}};
    b.sh("grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb)' /proc/self/status");
    Result r = b.run();
    REQUIRE(r.code == 0);
    CHECK(r.out ==
          "CapInh:\t0000000000000000\nCapPrm:\t0000000000000021\nCapEff:\t0000000000000021\n"
          "CapBnd:\t0000000000000021\nCapAmb:\t0000000000000000\n");
    Bundle n;
    n.config["process"].erase("capabilities");
    n.sh("grep -E '^Cap(Prm|Eff|Bnd)' /proc/self/status");
    Result rn = n.run();
    REQUIRE(rn.code == 0);
    CHECK(rn.out == "CapPrm:\t0000000000000000\nCapEff:\t0000000000000000\nCapBnd:\t0000000000000000\n");
}

TEST_CASE("no_new_privs follows process.noNewPrivileges") {
    for (bool nnp : {true, false}) {
        Bundle b;
        b.config["process"]["noNewPrivileges"] = nnp;
        b.sh("grep NoNewPrivs /proc/self/status");
        Result r = b.run();
        REQUIRE(r.code == 0);
        CHECK(r.out == std::string("NoNewPrivs:\t") + (nnp ? "1" : "0") + "\n");
    }
}

TEST_CASE("no runtime fd leaks into the container - --preserve-fds passes exactly N more") {
    Bundle b;
    b.sh("ls /proc/self/fd | sort -n | tr '\\n' ' '");
    Result r = b.run();
    REQUIRE(r.code == 0);
    CHECK(r.out == "0 1 2 3 ");  // 3 is ls's own directory fd
    Bundle p;
    p.sh("cat <&3");
    p.write();
    // hand fd 3 (a file) to docklock, which must pass it through
    std::string f = p.dir + "/payload";
    {
        FILE* fp = fopen(f.c_str(), "w");
        fputs("through fd 3\n", fp);
        fclose(fp);
    }
    Result rp = run({"sh", "-c",
                     std::string(DOCKLOCK_BIN) + " --root " + state_root() + " run --preserve-fds 1 --bundle " + p.dir + " " +
                         p.id + " 3<" + f});
    CHECK(rp.code == 0);
    CHECK(rp.out == "through fd 3\n");
}

TEST_CASE("exec runs in the container's namespaces and cgroup and confinement") {
    Bundle b;
    b.sh("sleep 30");
    REQUIRE(b.run({"--detach"}).code == 0);
    json st = json::parse(docklock({"state", b.id}).out);
    int pid = st["pid"];
    Result r = docklock({"exec", "--env", "X=1", "--cwd", "/tmp", "--user", "1000:1000", b.id, "sh", "-c",
                         "echo $X; pwd; id -u; hostname; cat /proc/1/comm; grep NoNewPrivs /proc/self/status; cat "
                         "/proc/self/cgroup | grep pids"});
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Catch::StartsWith("1\n/tmp\n1000\ndocklock-test\nsleep\nNoNewPrivs:\t1\n"));
    CHECK_THAT(r.out, Catch::Contains(":pids:/\n"));  // the container's cgroup namespace root
    CHECK(cgroup_dir_of(pid, "pids") == "/sys/fs/cgroup/pids/docklock-test/" + b.id);
    CHECK(docklock({"exec", b.id, "sh", "-c", "exit 7"}).code == 7);
    // --process with a full OCI process JSON, detached, with a pid file
    json proc = b.config["process"];
    proc["args"] = {"sh", "-c", "echo via-process > /tmp/p; sleep 5"};
    std::string pf = b.dir + "/process.json", pidf = b.dir + "/exec.pid";
    { std::ofstream(pf) << proc.dump(); }
    REQUIRE(docklock({"exec", "--process", pf, "--detach", "--pid-file", pidf, b.id}).code == 0);
    int epid = std::stoi(read(pidf));
    CHECK(exists("/proc/" + std::to_string(epid)));
}

TEST_CASE("a foreground run with a terminal gets a pty that docklock proxies") {
    Bundle b;
    b.config["process"]["terminal"] = true;
    b.sh("tty; test -t 0 && echo stdin-is-tty; read x; echo got-$x; exit 3");
    b.write();
    Result r = docklock({"run", "--bundle", b.dir, b.id}, "abc\n");
    CHECK(r.code == 3);
    CHECK_THAT(r.out, Catch::Contains("/dev/pts/0") && Catch::Contains("stdin-is-tty") && Catch::Contains("got-abc"));
}

TEST_CASE("an AppArmor profile on a host without AppArmor is a clear error - unconfined is fine") {
    if (exists("/sys/kernel/security/apparmor/profiles") && trim(read("/sys/module/apparmor/parameters/enabled")) == "Y") {
        std::cout << "SKIP: this host has AppArmor; the VM test vm.apparmor covers profiles\n";
        std::exit(77);
    }
    Bundle b;
    b.config["process"]["apparmorProfile"] = "docker-default";
    b.sh("true");
    b.write();
    Result r = docklock({"create", "--bundle", b.dir, b.id});
    CHECK(r.code != 0);
    CHECK_THAT(r.err, Catch::Contains("process.apparmorProfile: AppArmor profile \"docker-default\" requested but AppArmor is not enabled"));
    CHECK_FALSE(exists(state_root() + "/" + b.id));
    Bundle u;
    u.config["process"]["apparmorProfile"] = "unconfined";
    u.sh("echo ran");
    CHECK(u.run().out == "ran\n");
}

TEST_CASE("socket activation: LISTEN_FDS passes the fds on and tells the container") {
    Bundle b;
    b.sh("echo $LISTEN_FDS $LISTEN_PID; cat <&3");
    b.write();
    std::string f = b.dir + "/payload";
    { std::ofstream(f) << "activated\n"; }
    Result r = run({"sh", "-c", "LISTEN_FDS=1 exec " + std::string(DOCKLOCK_BIN) + " --root " + state_root() + " run --bundle " + b.dir + " " + b.id + " 3<" + f});
    CHECK(r.code == 0);
    CHECK(r.out == "1 1\nactivated\n");
}
