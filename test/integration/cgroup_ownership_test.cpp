// linux.cgroupsPath from a hostile config: docklock runs a container only in a cgroup it creates or an
// empty one, and its cleanup kills in and removes only what it made. Everything is checked from the
// host's view of /sys/fs/cgroup; the foreign cgroups and processes are the test's own.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <iostream>

#include "harness.hpp"

using namespace harness;
using nlohmann::json;

namespace {

const std::string kRoot = "/sys/fs/cgroup/";

// The mounted hierarchies of this hybrid host (as the 200-cycle lifecycle test lists them).
std::vector<std::string> hierarchies() {
    std::vector<std::string> out;
    for (const char* c : {"pids", "memory", "cpu", "cpuacct", "cpuset", "devices", "freezer", "blkio", "systemd", "unified"}) {
        struct stat st;
        if (lstat((kRoot + c).c_str(), &st) == 0 && S_ISDIR(st.st_mode)) out.push_back(c);
    }
    return out;
}

void require_hybrid() {
    if (!exists(kRoot + "pids/cgroup.procs") || !exists(kRoot + "memory/cgroup.procs")) {
        std::cout << "SKIP: needs the cgroup v1 pids and memory hierarchies (a hybrid host)\n";
        std::exit(77);
    }
}

// A cgroup the test makes (in the named hierarchies, as /<name>) and removes again with its processes.
struct TestCgroup {
    std::string name;
    std::vector<std::string> in;
    std::vector<pid_t> procs;
    TestCgroup(std::string n, std::vector<std::string> hs) : name(std::move(n)), in(std::move(hs)) {
        for (const auto& h : in) REQUIRE(mkdir(path(h).c_str(), 0755) == 0);
    }
    std::string path(const std::string& h) const { return kRoot + h + "/" + name; }
    // A `sleep` started by the test in this cgroup in hierarchy h: a process docklock did not start.
    pid_t add_sleep(const std::string& h) {
        pid_t p = fork();
        if (p == 0) {
            std::ofstream(path(h) + "/cgroup.procs") << getpid() << std::flush;
            execl("/bin/sleep", "sleep", "300", nullptr);
            _exit(127);
        }
        procs.push_back(p);
        for (int i = 0; i < 200 && read(path(h) + "/cgroup.procs").find(std::to_string(p)) == std::string::npos; ++i)
            usleep(5000);
        REQUIRE(read(path(h) + "/cgroup.procs").find(std::to_string(p)) != std::string::npos);
        return p;
    }
    ~TestCgroup() {
        for (pid_t p : procs) {
            kill(p, SIGKILL);
            waitpid(p, nullptr, 0);
        }
        for (const auto& h : in) {
            rmdir((path(h) + "/child").c_str());
            rmdir(path(h).c_str());
        }
    }
};

std::string unique(const std::string& what) {
    static int n = 0;
    return "dl-" + what + "-" + std::to_string(getpid()) + "-" + std::to_string(n++);
}

bool no_state(const std::string& id) {
    return docklock({"state", id}).code != 0 && !exists(state_root() + "/" + id);
}

}  // namespace

TEST_CASE("cgroups: an existing cgroup holding a foreign process is refused and left untouched in any hierarchy") {
    require_hybrid();
    for (const std::string h : {"pids", "memory", "unified"}) {
        if (!exists(kRoot + h)) continue;
        INFO(h);
        TestCgroup t(unique("foreign"), {h});
        pid_t foreign = t.add_sleep(h);
        Bundle b;
        b.config["linux"]["cgroupsPath"] = "/" + t.name;
        b.sh("true");
        Result r = b.create();
        CHECK(r.code != 0);
        CHECK_THAT(r.err, Catch::Contains("linux.cgroupsPath \"/" + t.name + "\"") && Catch::Contains("holds processes"));
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') <= 1);
        CHECK(alive(foreign));
        CHECK(exists(t.path(h)));
        CHECK(trim(read(t.path(h) + "/cgroup.procs")) == std::to_string(foreign));
        for (const auto& other : hierarchies())
            if (other != h) CHECK_FALSE(exists(kRoot + other + "/" + t.name));  // nothing made elsewhere either
        CHECK(no_state(b.id));
        // and delete --force of the refused id does not reach the foreign process
        docklock({"delete", "--force", b.id});
        CHECK(alive(foreign));
    }
}

TEST_CASE("cgroups: an existing cgroup with a child cgroup is refused") {
    require_hybrid();
    TestCgroup t(unique("parent"), {"memory"});
    REQUIRE(mkdir((t.path("memory") + "/child").c_str(), 0755) == 0);
    Bundle b;
    b.config["linux"]["cgroupsPath"] = "/" + t.name;
    Result r = b.create();
    CHECK(r.code != 0);
    CHECK_THAT(r.err, Catch::Contains("linux.cgroupsPath") && Catch::Contains("child cgroups"));
    CHECK(exists(t.path("memory") + "/child"));
    CHECK_FALSE(exists(kRoot + "pids/" + t.name));
    CHECK(no_state(b.id));
}

TEST_CASE("cgroups: the parent of another container's cgroup, its own cgroup or a hierarchy root cannot reach its limits") {
    require_hybrid();
    std::string parent = unique("par");
    Bundle a;
    a.config["linux"]["cgroupsPath"] = "/" + parent + "/a";
    a.config["linux"]["resources"]["pids"] = {{"limit", 20}};
    a.config["linux"]["resources"]["memory"] = {{"limit", 64 << 20}};
    a.sh("sleep 100");
    REQUIRE(a.run({"--detach"}).code == 0);
    int apid = json::parse(docklock({"state", a.id}).out)["pid"];
    std::string apids = kRoot + "pids/" + parent + "/a", amem = kRoot + "memory/" + parent + "/a";
    REQUIRE(cgroup_dir_of(apid, "pids") == apids);
    const std::string parent_pids_max = trim(read(kRoot + "pids/" + parent + "/pids.max"));
    const std::string parent_mem = trim(read(kRoot + "memory/" + parent + "/memory.limit_in_bytes"));
    for (const std::string& path :
         std::vector<std::string>{"/" + parent, "/" + parent + "/a", "/" + parent + "/./a/", "/", "", "//", "/.", "."}) {
        if (path.empty()) continue;  // "" is the default path under the runtime's own cgroup: not a reach
        INFO(path);
        Bundle b;
        b.config["linux"]["cgroupsPath"] = path;
        b.config["linux"]["resources"]["pids"] = {{"limit", 3}};
        b.config["linux"]["resources"]["memory"] = {{"limit", 8 << 20}};
        Result r = b.create();
        CHECK(r.code != 0);
        CHECK_THAT(r.err, Catch::Contains("linux.cgroupsPath"));
        CHECK(no_state(b.id));
        CHECK(trim(read(apids + "/pids.max")) == "20");
        CHECK(trim(read(amem + "/memory.limit_in_bytes")) == std::to_string(64 << 20));
        CHECK(trim(read(kRoot + "pids/" + parent + "/pids.max")) == parent_pids_max);
        CHECK(trim(read(kRoot + "memory/" + parent + "/memory.limit_in_bytes")) == parent_mem);
        CHECK(alive(apid));
        CHECK(cgroup_dir_of(apid, "pids") == apids);
    }
    CHECK(alive(apid));
}

TEST_CASE("cgroups: a stopped container's empty cgroup is not another container's to reuse") {
    require_hybrid();
    std::string path = "/" + unique("stopped") + "/a";
    Bundle a;
    a.config["linux"]["cgroupsPath"] = path;
    a.sh("true");
    REQUIRE(a.run({"--detach"}).code == 0);
    for (int i = 0; i < 200 && json::parse(docklock({"state", a.id}).out)["status"] != "stopped"; ++i) usleep(10000);
    REQUIRE(json::parse(docklock({"state", a.id}).out)["status"] == "stopped");
    REQUIRE(exists(kRoot + "pids" + path));
    REQUIRE(trim(read(kRoot + "pids" + path + "/cgroup.procs")).empty());
    Bundle b;
    b.config["linux"]["cgroupsPath"] = path;
    b.sh("sleep 100");
    Result r = b.create();
    CHECK(r.code != 0);
    CHECK_THAT(r.err, Catch::Contains("linux.cgroupsPath \"" + path + "\"") && Catch::Contains("container \"" + a.id + "\""));
    CHECK(no_state(b.id));
    REQUIRE(docklock({"delete", a.id}).code == 0);
    for (const auto& h : hierarchies()) CHECK_FALSE(exists(kRoot + h + path.substr(0, path.rfind('/'))));
}

TEST_CASE("cgroups: a pre-existing empty cgroup is reused and never removed, after a failed create or a delete") {
    require_hybrid();
    TestCgroup t(unique("empty"), {"pids", "memory"});
    {
        Bundle b;
        b.config["linux"]["cgroupsPath"] = "/" + t.name;
        b.config["hooks"]["createRuntime"] = {{{"path", "/bin/false"}}};  // fails with the init in the cgroup
        b.sh("sleep 100");
        Result r = b.create();
        CHECK(r.code != 0);
        CHECK(no_state(b.id));
        for (const std::string h : {"pids", "memory"}) {
            CHECK(exists(t.path(h)));
            CHECK(trim(read(t.path(h) + "/cgroup.procs")).empty());  // the init docklock started is gone
        }
        CHECK_FALSE(exists(kRoot + "freezer/" + t.name));  // the levels docklock made went
        CHECK_FALSE(exists(kRoot + "cpu/" + t.name));
    }
    {
        Bundle b;
        b.config["linux"]["cgroupsPath"] = "/" + t.name;
        b.config["linux"]["resources"]["pids"] = {{"limit", 7}};
        b.sh("sleep 100");
        REQUIRE(b.run({"--detach"}).code == 0);
        int pid = json::parse(docklock({"state", b.id}).out)["pid"];
        CHECK(cgroup_dir_of(pid, "pids") == t.path("pids"));
        CHECK(trim(read(t.path("pids") + "/pids.max")) == "7");
        REQUIRE(docklock({"delete", "--force", b.id}).code == 0);
        CHECK_FALSE(alive(pid));
        CHECK(exists(t.path("pids")));
        CHECK(exists(t.path("memory")));
        CHECK_FALSE(exists(kRoot + "freezer/" + t.name));
    }
}

TEST_CASE("cgroups: parent levels docklock made go on delete when empty and stay while another container uses them") {
    require_hybrid();
    std::string top = unique("lvl");
    std::string pa = "/" + top + "/x/a", pb = "/" + top + "/x/b";
    {
        Bundle a;
        a.config["linux"]["cgroupsPath"] = pa;
        a.sh("sleep 100");
        REQUIRE(a.run({"--detach"}).code == 0);
        for (const auto& h : hierarchies()) CHECK(exists(kRoot + h + pa));
        REQUIRE(docklock({"delete", "--force", a.id}).code == 0);
        for (const auto& h : hierarchies()) {
            INFO(h);
            CHECK_FALSE(exists(kRoot + h + "/" + top));
        }
    }
    Bundle a, b;
    a.config["linux"]["cgroupsPath"] = pa;
    b.config["linux"]["cgroupsPath"] = pb;
    a.sh("sleep 100");
    b.sh("sleep 100");
    REQUIRE(a.run({"--detach"}).code == 0);
    REQUIRE(b.run({"--detach"}).code == 0);
    int bpid = json::parse(docklock({"state", b.id}).out)["pid"];
    REQUIRE(docklock({"delete", "--force", a.id}).code == 0);
    for (const auto& h : hierarchies()) {
        INFO(h);
        CHECK_FALSE(exists(kRoot + h + pa));
        CHECK(exists(kRoot + h + pb));  // a's parents stay: b is in them
    }
    CHECK(alive(bpid));
    REQUIRE(docklock({"delete", "--force", b.id}).code == 0);
    for (const auto& h : hierarchies()) {
        INFO(h);
        CHECK_FALSE(exists(kRoot + h + pb));
        // b did not make /top/x (a did): it stays, as runc leaves parents. The test removes it.
        rmdir((kRoot + h + "/" + top + "/x").c_str());
        rmdir((kRoot + h + "/" + top).c_str());
        CHECK_FALSE(exists(kRoot + h + "/" + top));
    }
}

TEST_CASE("cgroups: \"..\" components in cgroupsPath are refused") {
    require_hybrid();
    std::string top = unique("dots");
    for (const std::string& path :
         std::vector<std::string>{"/" + top + "/../" + top + "-b", "../" + top, "/" + top + "/..", "/a/b/../../.."}) {
        INFO(path);
        Bundle b;
        b.config["linux"]["cgroupsPath"] = path;
        Result r = b.create();
        CHECK(r.code != 0);
        CHECK_THAT(r.err, Catch::Contains("linux.cgroupsPath \"" + path + "\": must not contain \"..\""));
        CHECK(no_state(b.id));
        for (const auto& h : hierarchies()) {
            CHECK_FALSE(exists(kRoot + h + "/" + top));
            CHECK_FALSE(exists(kRoot + h + "/" + top + "-b"));
        }
    }
}
