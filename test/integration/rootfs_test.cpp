// The container's filesystem: mounts and options, readonly root, masked/readonly paths, devices, pivot.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "harness.hpp"

using namespace harness;
using nlohmann::json;

TEST_CASE("mounts: tmpfs options and ro bind and nosuid/nodev/noexec and propagation") {
    Bundle b;
    std::string src = b.dir + "/shared";
    mkdir(src.c_str(), 0755);
    { std::ofstream(src + "/hello") << "from host\n"; }
    b.config["mounts"].push_back(
        {{"destination", "/data"}, {"type", "bind"}, {"source", src}, {"options", {"rbind", "ro", "nosuid", "nodev", "noexec"}}});
    b.config["mounts"].push_back(
        {{"destination", "/scratch"}, {"type", "tmpfs"}, {"source", "tmpfs"}, {"options", {"size=1m", "mode=1770", "nosuid"}}});
    b.config["mounts"].push_back(
        {{"destination", "/mnt/file"}, {"type", "bind"}, {"source", src + "/hello"}, {"options", {"bind", "rprivate"}}});
    b.sh(
        "cat /data/hello; touch /data/x 2>/dev/null && echo writable || echo read-only; stat -c %a /scratch; "
        "grep -E ' /(data|scratch|mnt/file) ' /proc/self/mountinfo; cat /mnt/file");
    Result r = b.run();
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Catch::StartsWith("from host\nread-only\n1770\n"));
    CHECK_THAT(r.out, Catch::Matches("[\\s\\S]* /data ro,nosuid,nodev,noexec[\\s\\S]*"));
    CHECK_THAT(r.out, Catch::Matches("[\\s\\S]* /scratch rw,nosuid[\\s\\S]*size=1024k,mode=1770[\\s\\S]*"));
    CHECK_THAT(r.out, Catch::EndsWith("from host\n"));
}

TEST_CASE("root.readonly and maskedPaths and readonlyPaths") {
    Bundle b;
    b.config["root"]["readonly"] = true;
    b.config["linux"]["maskedPaths"].push_back("/etc/hostname");
    b.config["linux"]["readonlyPaths"].push_back("/home");
    b.sh(
        "touch /x 2>/dev/null && echo root-writable || echo root-ro; stat -c '%t:%T' /etc/hostname; cat /etc/hostname | wc -c; "
        "ls /sys/firmware | wc -l; echo 1 > /proc/sys/kernel/domainname 2>/dev/null && echo sys-writable || echo sys-ro; "
        "touch /tmp/ok 2>/dev/null || echo tmp-ro; grep -E ' /home ' /proc/self/mountinfo | cut -d' ' -f6");
    Result r = b.run();
    REQUIRE(r.code == 0);
    // /tmp is part of the read-only rootfs here
    CHECK(r.out == "root-ro\n1:3\n0\n0\nsys-ro\ntmp-ro\nro,relatime\n");
}

TEST_CASE("default devices and linux.devices and /dev symlinks") {
    Bundle b;
    b.config["linux"]["devices"] = {
        {{"path", "/dev/fuse"}, {"type", "c"}, {"major", 10}, {"minor", 229}, {"fileMode", 0640}, {"uid", 0}, {"gid", 5}}};
    b.config["linux"]["resources"]["devices"].push_back(
        {{"allow", true}, {"type", "c"}, {"major", 10}, {"minor", 229}, {"access", "rwm"}});
    b.sh(
        "for d in null zero full random urandom tty fuse; do stat -c '%n %t:%T %a %g' /dev/$d; done; "
        "for l in fd stdin stdout stderr ptmx; do readlink /dev/$l; done; head -c 4 /dev/zero | wc -c; echo x > /dev/null && "
        "echo null-ok");
    Result r = b.run();
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Catch::StartsWith("/dev/null 1:3 666 0\n/dev/zero 1:5 666 0\n/dev/full 1:7 666 0\n/dev/random 1:8 666 0\n"
                                        "/dev/urandom 1:9 666 0\n/dev/tty 5:0 666 0\n/dev/fuse a:e5 640 5\n"));
    CHECK_THAT(r.out,
               Catch::Contains("/proc/self/fd\n/proc/self/fd/0\n/proc/self/fd/1\n/proc/self/fd/2\npts/ptmx\n4\nnull-ok\n"));
}

TEST_CASE("pivot_root leaves no trace of the host root - --no-pivot works too") {
    for (bool no_pivot : {false, true}) {
        Bundle b;
        b.sh("cat /proc/self/mountinfo | wc -l; ls /; test -e /work && echo host-visible || echo isolated");
        Result r = b.run(no_pivot ? std::vector<std::string>{"--no-pivot"} : std::vector<std::string>{});
        INFO(r.err);
        REQUIRE(r.code == 0);
        CHECK_THAT(r.out, Catch::EndsWith("isolated\n"));
    }
}

TEST_CASE("a symlinked mount target cannot lead a mount out of the rootfs") {
    Bundle b;
    // /evil -> /../../../../tmp/docklock-escape-<id> on the host if followed naively
    std::string host_target = "/tmp/docklock-escape-" + b.id;
    mkdir(host_target.c_str(), 0755);
    REQUIRE(symlink(("../../../../../.." + host_target).c_str(), (b.dir + "/rootfs/evil").c_str()) == 0);
    b.config["mounts"].push_back({{"destination", "/evil"}, {"type", "tmpfs"}, {"source", "tmpfs"}, {"options", {"size=1m"}}});
    b.sh("grep -c tmpfs /proc/self/mountinfo >/dev/null; echo done");
    Result r = b.run();
    CHECK(r.code == 0);
    // the tmpfs landed inside the rootfs at /tmp/docklock-escape-<id> (resolved in root), never on the host
    std::string mounts = read("/proc/self/mountinfo");
    CHECK_THAT(mounts, !Catch::Contains(" " + host_target + " "));
    rmdir(host_target.c_str());
}

TEST_CASE("masked paths refuse a /dev/null that is not the null device") {
    Bundle b;
    // a rootfs where /dev is not a fresh tmpfs and /dev/null is a regular file
    json mounts = json::array();
    for (auto& m : b.config["mounts"])
        if (m["destination"] != "/dev" && m["destination"] != "/dev/pts" && m["destination"] != "/dev/shm" &&
            m["destination"] != "/dev/mqueue")
            mounts.push_back(m);
    b.config["mounts"] = mounts;
    b.config["mounts"].push_back(
        {{"destination", "/dev"}, {"type", "bind"}, {"source", b.dir + "/fakedev"}, {"options", {"rbind"}}});
    mkdir((b.dir + "/fakedev").c_str(), 0755);
    { std::ofstream(b.dir + "/fakedev/null") << "not a device"; }
    b.sh("echo should-not-run");
    Result r = b.run();
    CHECK(r.code != 0);
    CHECK_THAT(r.err, Catch::Contains("/dev/null"));
}

TEST_CASE("rootfsPropagation shared: a mount inside shows up at a bind of / inside") {
    Bundle b;
    b.config["linux"]["rootfsPropagation"] = "shared";
    b.config["process"]["capabilities"]["bounding"].push_back("CAP_SYS_ADMIN");
    b.config["process"]["capabilities"]["effective"].push_back("CAP_SYS_ADMIN");
    b.config["process"]["capabilities"]["permitted"].push_back("CAP_SYS_ADMIN");
    b.sh("mkdir -p /t /m /src && touch /src/f && mount --rbind / /t && mount --bind /src /m && "
         "test -e /t/m/f && echo propagated || echo private");
    Result r = b.run();
    REQUIRE(r.code == 0);
    CHECK(r.out == "propagated\n");
}
