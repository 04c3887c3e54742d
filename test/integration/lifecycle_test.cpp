// create/start/state/kill/delete/run/list as runc's users see them.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "harness.hpp"

using namespace harness;
using nlohmann::json;

static json state_of(const std::string& id) {
    Result r = docklock({"state", id});
    REQUIRE(r.code == 0);
    return json::parse(r.out);
}

TEST_CASE("create blocks init until start - state follows the process") {
    Bundle b;
    b.sh("echo started > /tmp/marker; sleep 30");
    std::string pidfile = b.dir + "/init.pid";
    Result c = b.create({"--pid-file", pidfile});
    REQUIRE(c.code == 0);
    json s = state_of(b.id);
    CHECK(s["status"] == "created");
    CHECK(s["id"] == b.id);
    CHECK(s["bundle"] == b.dir);
    CHECK(s["ociVersion"].get<std::string>().rfind("1.", 0) == 0);
    int pid = std::stoi(read(pidfile));
    CHECK(s["pid"] == pid);
    // the init is set up but has not run the user's process: no marker yet
    CHECK_FALSE(exists("/proc/" + std::to_string(pid) + "/root/tmp/marker"));
    CHECK(trim(read("/proc/" + std::to_string(pid) + "/comm")) != "sleep");
    REQUIRE(docklock({"start", b.id}).code == 0);
    CHECK(state_of(b.id)["status"] == "running");
    Result again = docklock({"start", b.id});
    CHECK(again.code != 0);
    CHECK_THAT(again.err, Catch::Contains("running"));
    REQUIRE(docklock({"kill", b.id, "KILL"}).code == 0);
    for (int i = 0; i < 100 && state_of(b.id)["status"] != "stopped"; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK(state_of(b.id)["status"] == "stopped");
    REQUIRE(docklock({"delete", b.id}).code == 0);
    Result gone = docklock({"state", b.id});
    CHECK(gone.code != 0);
    CHECK_THAT(gone.err, Catch::Contains("does not exist"));
}

TEST_CASE("delete refuses a running container without --force and and --force cleans everything") {
    Bundle b;
    b.sh("sleep 30 & sleep 30");
    REQUIRE(b.create().code == 0);
    REQUIRE(docklock({"start", b.id}).code == 0);
    int pid = state_of(b.id)["pid"];
    std::string cg = cgroup_dir_of(pid, "pids");
    REQUIRE(exists(cg));
    Result r = docklock({"delete", b.id});
    CHECK(r.code != 0);
    CHECK_THAT(r.err, Catch::Contains("--force"));
    REQUIRE(docklock({"delete", "--force", b.id}).code == 0);
    CHECK_FALSE(alive(pid));
    CHECK_FALSE(exists(cg));
    CHECK_FALSE(exists(state_root() + "/" + b.id));
}

TEST_CASE("delete of a container that never existed is a clear error") {
    require_root();
    Result r = docklock({"delete", "no-such-container"});
    CHECK(r.code != 0);
    CHECK_THAT(r.err, Catch::Contains("\"no-such-container\" does not exist"));
}

TEST_CASE("delete --force of a container that never existed succeeds as runc's") {
    // containerd's runc v2 shim deletes with --force once more after the task is gone.
    require_root();
    Result r = docklock({"delete", "--force", "no-such-container"});
    CHECK(r.code == 0);
    CHECK(r.err.empty());
}

TEST_CASE("run waits and exits with the container's exit code - --detach returns at once") {
    Bundle b;
    b.sh("echo out; echo err >&2; exit 42");
    Result r = b.run();
    CHECK(r.code == 42);
    CHECK(r.out == "out\n");
    CHECK_THAT(r.err, Catch::Contains("err"));
    CHECK_FALSE(exists(state_root() + "/" + b.id));  // run deletes unless --keep

    // Killed by a signal: 128 + signal, as runc. (The container's init cannot SIGKILL itself: the
    // kernel ignores that for a pid namespace's init, so the signal comes from outside.)
    Bundle k;
    k.sh("sleep 30");
    int code = -1;
    std::thread waiter([&] { code = k.run({"--keep"}).code; });
    for (int i = 0; i < 250; ++i) {
        Result st = docklock({"state", k.id});
        if (st.code == 0 && json::parse(st.out)["status"] == "running") break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(docklock({"kill", k.id, "KILL"}).code == 0);
    waiter.join();
    CHECK(code == 137);
    CHECK(state_of(k.id)["status"] == "stopped");

    Bundle d;
    d.sh("sleep 30");
    REQUIRE(d.run({"--detach"}).code == 0);
    CHECK(state_of(d.id)["status"] == "running");
}

TEST_CASE("kill takes signal names and numbers and --all reaches every process") {
    Bundle b;
    b.sh("trap 'echo got-usr1 > /tmp/sig' USR1; sleep 1000 & while :; do sleep 0.05; done");
    REQUIRE(b.run({"--detach"}).code == 0);
    int pid = state_of(b.id)["pid"];
    REQUIRE(docklock({"kill", b.id, "SIGUSR1"}).code == 0);
    std::string sig = "/proc/" + std::to_string(pid) + "/root/tmp/sig";
    for (int i = 0; i < 100 && !exists(sig); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK(trim(read(sig)) == "got-usr1");
    CHECK(docklock({"kill", b.id, "NOSUCHSIG"}).code != 0);
    REQUIRE(docklock({"kill", "--all", b.id, "9"}).code == 0);
    for (int i = 0; i < 100 && state_of(b.id)["status"] != "stopped"; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK(state_of(b.id)["status"] == "stopped");
}

TEST_CASE("list shows containers as table and json and ids") {
    Bundle b;
    b.sh("sleep 30");
    REQUIRE(b.run({"--detach"}).code == 0);
    Result t = docklock({"list"});
    CHECK_THAT(t.out, Catch::Contains("ID") && Catch::Contains(b.id) && Catch::Contains("running"));
    json j = json::parse(docklock({"list", "--format", "json"}).out);
    bool found = false;
    for (const auto& c : j)
        if (c["id"] == b.id) found = c["status"] == "running";
    CHECK(found);
    CHECK_THAT(docklock({"list", "-q"}).out, Catch::Contains(b.id + "\n"));
}

TEST_CASE("status survives PID reuse: a live process with another start time is not the container") {
    Bundle b;
    b.sh("exit 0");
    REQUIRE(b.run({"--keep"}).code == 0);
    std::string path = state_root() + "/" + b.id + "/state.json";
    json st = json::parse(read(path));
    st["pid"] = getpid();  // alive, as a recycled pid would be
    st["pid_start"] = 1;
    { std::ofstream(path) << st.dump(); }
    CHECK(state_of(b.id)["status"] == "stopped");
    CHECK(docklock({"kill", b.id, "0"}).code != 0);  // and nothing gets signalled
}

TEST_CASE("delete of a created container is an error without --force and leaves it intact") {
    Bundle b;
    b.sh("sleep 30");
    REQUIRE(b.create().code == 0);
    Result r = docklock({"delete", b.id});
    CHECK(r.code != 0);
    CHECK_THAT(r.err, Catch::Contains("it is created"));
    CHECK(state_of(b.id)["status"] == "created");
    REQUIRE(docklock({"start", b.id}).code == 0);
    CHECK(state_of(b.id)["status"] == "running");
}

TEST_CASE("a --root deeper than a unix socket name still works (start.sock through /proc/self/fd)") {
    Bundle b;
    b.sh("echo long-root-ok");
    std::string root = b.dir + "/" + std::string(60, 'r') + "/" + std::string(60, 's');
    b.write();
    Result c = run({DOCKLOCK_BIN, "--root", root, "create", "--bundle", b.dir, b.id});
    REQUIRE(c.code == 0);
    Result s = run({DOCKLOCK_BIN, "--root", root, "start", b.id});
    CHECK(s.code == 0);
    CHECK(run({DOCKLOCK_BIN, "--root", root, "delete", "--force", b.id}).code == 0);
}

TEST_CASE("200 create/delete cycles and some runtimes SIGKILLed mid-create leave no cgroup and state dir or process") {
    Bundle b;
    b.sh("sleep 100");
    b.write();
    std::string prefix = "leak" + std::to_string(getpid()) + "-";
    for (int i = 0; i < 200; ++i) {
        std::string id = prefix + std::to_string(i);
        b.config["linux"]["cgroupsPath"] = "/docklock-test/" + id;
        b.write();
        if (i % 3 == 0) {
            // kill the runtime at some point of create
            pid_t p = fork();
            if (p == 0) {
                execl(DOCKLOCK_BIN, DOCKLOCK_BIN, "--root", state_root().c_str(), "create", "--bundle", b.dir.c_str(), id.c_str(), nullptr);
                _exit(127);
            }
            usleep(static_cast<useconds_t>((i * 997) % 12000));
            kill(p, SIGKILL);
            waitpid(p, nullptr, 0);
        } else {
            REQUIRE(docklock({"create", "--bundle", b.dir, id}).code == 0);
            if (i % 3 == 1) REQUIRE(docklock({"start", id}).code == 0);
        }
        Result d = docklock({"delete", "--force", id});
        if (d.code != 0) CHECK_THAT(d.err, Catch::Contains("does not exist"));  // killed before the state dir existed
    }
    for (const char* c : {"pids", "memory", "cpu", "cpuset", "devices", "freezer", "blkio", "systemd", "unified"}) {
        std::string dir = std::string("/sys/fs/cgroup/") + c + "/docklock-test";
        Result ls = run({"ls", dir});
        INFO(c);
        CHECK_THAT(ls.out, !Catch::Contains(prefix));
    }
    CHECK_THAT(run({"ls", state_root()}).out, !Catch::Contains(prefix));
    CHECK_THAT(run({"sh", "-c", "ps -eo args | grep -c '[s]leep 100$' || true"}).out, Catch::Equals("0\n"));
}
