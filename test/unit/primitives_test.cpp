// Pure pieces: mount options, signals, capability names, seccomp compilation.
#include <linux/mount.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <iostream>

#include "caps/caps.hpp"
#include "libcontainer/lifecycle/lifecycle.hpp"
#include "libcontainer/spec/mount_options.hpp"
#include "libcontainer/util/error.hpp"
#include "libcontainer/util/fs.hpp"
#include "seccomp/compile.hpp"

using namespace docklock;

TEST_CASE("mount options split into flags, propagation, recursive attributes and data") {
    auto m = spec::parse_mount_options({"rbind", "ro", "nosuid", "rslave", "rnoexec", "size=64k", "mode=755", "rw", "ro"});
    CHECK(m.bind);
    CHECK(m.rec);
    CHECK((m.flags & MS_RDONLY) != 0);
    CHECK((m.flags & MS_NOSUID) != 0);
    CHECK(m.propagation == (MS_SLAVE | MS_REC));
    CHECK(m.attr_set == MOUNT_ATTR_NOEXEC);
    CHECK(m.data == "size=64k,mode=755");
    auto c = spec::parse_mount_options({"nodev", "dev", "exec"});
    CHECK((c.flags & (MS_NODEV | MS_NOEXEC)) == 0);
}

TEST_CASE("signals by name and number") {
    CHECK(lifecycle::parse_signal("KILL") == SIGKILL);
    CHECK(lifecycle::parse_signal("SIGTERM") == SIGTERM);
    CHECK(lifecycle::parse_signal("sigusr1") == SIGUSR1);
    CHECK(lifecycle::parse_signal("9") == 9);
    CHECK_THROWS_WITH(lifecycle::parse_signal("NOPE"), Catch::Contains("unknown signal"));
    CHECK_THROWS(lifecycle::parse_signal("0x"));
}

TEST_CASE("capability names map both ways and unknown names are errors") {
    CHECK(caps::from_name("CAP_NET_RAW") == 13);
    CHECK(caps::from_name("net_raw") == 13);
    CHECK(caps::to_name(13) == "CAP_NET_RAW");
    CHECK(caps::mask_of({"CAP_CHOWN", "CAP_KILL"}, "f") == ((1ULL << 0) | (1ULL << 5)));
    CHECK_THROWS_WITH(caps::mask_of({"CAP_BOGUS"}, "process.capabilities.bounding"),
                      Catch::Contains("process.capabilities.bounding: unknown capability \"CAP_BOGUS\""));
}

TEST_CASE("the bounding set read from /proc matches PR_CAPBSET_READ for every capability") {
    uint64_t asked = 0;
    for (int i = 0; i <= caps::last_cap(); ++i)
        if (prctl(PR_CAPBSET_READ, i, 0, 0, 0) == 1) asked |= 1ULL << i;
    CHECK(caps::bounding_set_of_self() == asked);
}

TEST_CASE("seccomp: Docker's default profile compiles - bad actions and operators name the field") {
    if (!fs::exists(FIXTURES_DIR)) {
        std::cout << "SKIP: the Docker fixtures are not at " FIXTURES_DIR "\n";
        std::exit(77);
    }
    std::string text = fs::read_file(std::string(FIXTURES_DIR) + "/default.json");
    spec::Spec s = spec::parse_spec(text);
    REQUIRE(s.linux->seccomp);
    std::vector<std::string> skipped;
    auto plan = seccomp::compile(*s.linux->seccomp, &skipped);
    CHECK(plan.present);
    CHECK(plan.prog.size() > 100);
    spec::Seccomp bad;
    bad.defaultAction = "SCMP_ACT_NOPE";
    CHECK_THROWS_WITH(seccomp::compile(bad), Catch::Contains("linux.seccomp.defaultAction: unknown seccomp action"));
    spec::Seccomp op;
    op.defaultAction = "SCMP_ACT_ALLOW";
    op.syscalls.push_back({{"personality"}, "SCMP_ACT_ERRNO", std::nullopt, {{0, 1, 0, "SCMP_CMP_WHAT"}}});
    CHECK_THROWS_WITH(seccomp::compile(op), Catch::Contains("linux.seccomp.syscalls[0].args[0].op"));
}

#include "libcontainer/cgroups/resources.hpp"

TEST_CASE("cpu.shares to cpu.weight keeps the defaults and the ends aligned") {
    using docklock::cgroups::shares_to_weight;
    CHECK(shares_to_weight(1024) == 100);
    CHECK(shares_to_weight(2) == 1);
    CHECK(shares_to_weight(262144) == 10000);
    CHECK(shares_to_weight(512) < 100);
    CHECK(shares_to_weight(2048) > 100);
    CHECK(shares_to_weight(0) == 0);
}

TEST_CASE("create's device rules always start with deny-all, whatever the spec lists") {
    using docklock::cgroups::with_default_deny;
    namespace spec = docklock::spec;
    auto denies_all_first = [](const spec::Resources& r) {
        return !r.devices.empty() && !r.devices[0].allow && r.devices[0].type == "a" && r.devices[0].access == "rwm";
    };
    CHECK(denies_all_first(with_default_deny(nullptr)));  // no linux.resources
    CHECK(with_default_deny(nullptr).devices.size() == 1);
    spec::Resources deny_only;
    deny_only.devices.push_back({false, "c", 10, 237, "rwm"});
    spec::Resources r = with_default_deny(&deny_only);
    REQUIRE(r.devices.size() == 2);
    CHECK(denies_all_first(r));
    CHECK(r.devices[1].major == 10);
    spec::Resources docker;  // Docker's own deny-all first: kept as it is
    docker.devices.push_back({false, "", std::nullopt, std::nullopt, "rwm"});
    docker.devices.push_back({true, "c", 1, 3, "rwm"});
    CHECK(with_default_deny(&docker).devices.size() == 2);
    docker.pidsLimit = 7;
    CHECK(with_default_deny(&docker).pidsLimit == 7);  // the rest is untouched
}
