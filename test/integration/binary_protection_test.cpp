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
