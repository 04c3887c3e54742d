// The docklock binary cannot be reached from inside the container while it runs there (CVE-2019-5736).
#include <catch2/catch.hpp>

#include "harness.hpp"

using namespace harness;
using nlohmann::json;

TEST_CASE("a created container's init (still the docklock binary) is unreachable through /proc/1/exe") {
    Bundle b;
    json caps = {"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_SETUID", "CAP_SETGID", "CAP_KILL"};
    b.config["process"]["capabilities"] = {{"bounding", caps}, {"effective", caps}, {"permitted", caps}};
    b.sh("sleep 30");
    REQUIRE(b.create().code == 0);  // init is blocked before execve: /proc/1/exe is docklock
    Result r = docklock({"exec", b.id, "sh", "-c",
                         "readlink /proc/1/exe || echo no-link; cat /proc/1/exe > /dev/null 2>&1 && echo READ || echo no-read; "
                         "echo x >> /proc/1/exe 2>/dev/null && echo WROTE || echo no-write; for f in /proc/1/fd/*; do readlink "
                         "$f 2>/dev/null; done | wc -l"});
    REQUIRE(r.code == 0);
    CHECK(r.out == "no-link\nno-read\nno-write\n0\n");
}

// CVE-2019-5736 as it was exploited: the container's command is /proc/self/exe, so the runtime's
// execve runs the runtime binary inside the container (an image with glibc has what it needs); a
// container process holds /proc/<that pid>/exe open and, once that process has exited, reopens it
// for writing through /proc/self/fd. The binary must stay intact: docklock runs create/run/exec from
// a read-only mount of itself, so the write fails with EROFS. A copy of the binary is attacked, so a
// regression cannot damage the build.
TEST_CASE("CVE-2019-5736: the runtime binary run inside the container cannot be overwritten through /proc/pid/exe") {
    require_root();
    char tmpl[] = "/tmp/docklock-cve-XXXXXX";
    std::string dir = mkdtemp(tmpl);
    std::string bin = dir + "/docklock";
    REQUIRE(run({"cp", DOCKLOCK_BIN, bin}).code == 0);
    auto dl = [&](const std::vector<std::string>& args) {
        std::vector<std::string> a{bin, "--root", state_root(), "--policy", "off"};
        a.insert(a.end(), args.begin(), args.end());
        return run(a);
    };
    Bundle b;
    // What a glibc-based image has: the loader and the libraries docklock links.
    Result libs = run({"sh", "-c", "ldd " + bin + " | grep -o '/[^ ]*' | while read -r l; do mkdir -p " + b.dir +
                                       "/rootfs$(dirname $l) && cp -L $l " + b.dir + "/rootfs$l || exit 1; done"});
    REQUIRE(libs.code == 0);
    json caps = {"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_SETUID", "CAP_SETGID", "CAP_KILL"};
    b.config["process"]["capabilities"] = {{"bounding", caps}, {"effective", caps}, {"permitted", caps}};
    // The attacker is the container's init (no runtime process of the copy may run meanwhile: a
    // running one makes the write fail with ETXTBSY, which is no protection). It reports in /result.
    b.sh("mkfifo /fifo; pat='/fi''fo list'; victim() { for p in /proc/[0-9]*; do case $(tr '\\0' ' ' <$p/cmdline 2>/dev/null) in "
         "*\"$pat\"*) echo ${p#/proc/}; return 0;; esac; done; return 1; }; "
         "n=0; until P=$(victim); do n=$((n+1)); [ $n -lt 200 ] || { echo no-victim >/result; exit 1; }; sleep 0.05; done; "
         "readlink /proc/$P/exe >/result; exec 3</proc/$P/exe || { echo no-open >>/result; exit 0; }; cat /fifo >/dev/null; "
         "while [ -d /proc/$P ]; do sleep 0.05; done; n=0; "
         "until echo PWNED >> /proc/self/fd/3; do n=$((n+1)); [ $n -lt 20 ] || { echo kept >>/result; break; }; sleep 0.1; done 2>>/result; "
         "[ $n -lt 20 ] && echo WROTE >>/result; echo done >>/result; exec sleep 1000");
    b.write();
    REQUIRE(dl({"create", "--bundle", b.dir, b.id}).code == 0);
    REQUIRE(dl({"start", b.id}).code == 0);
    // The runtime execs /proc/self/exe: docklock runs in the container, blocked opening its --log FIFO.
    REQUIRE(dl({"exec", "-d", b.id, "/proc/self/exe", "--log", "/fifo", "list"}).code == 0);
    std::string result;
    for (int n = 0; n < 200 && result.find("done") == std::string::npos; ++n) {
        usleep(50000);
        result = exists(b.dir + "/rootfs/result") ? read(b.dir + "/rootfs/result") : "";
    }
    INFO(result);
    CHECK(result.find("no-victim") == std::string::npos);  // the runtime's binary did run in the container
    CHECK(result.find("done") != std::string::npos);
    CHECK(result.find("WROTE") == std::string::npos);
    CHECK(result.find("Text file busy") == std::string::npos);  // not protected by chance
    CHECK(run({"cmp", DOCKLOCK_BIN, bin}).code == 0);
    dl({"delete", "--force", b.id});
    run({"rm", "-rf", dir});
}
