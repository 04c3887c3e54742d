// `docklock profile apparmor`: the YAML description and the profile text generated from it. That
// the kernel enforces it is test/vm/apparmor_gen.
#include <catch2/catch.hpp>
#include <regex>
#include <sstream>

#include "apparmor/generate.hpp"
#include "libcontainer/util/error.hpp"

using namespace docklock;
using Catch::Contains;

namespace {

const char* const kSample = R"(name: web
filesystem:
  read_only: [/etc/**]
  writable: [/tmp/**, "/data dir/**"]
  log_on_write: [/var/log/**]
  allow_exec: [/bin/busybox]
  deny_exec: [/bin/nc]
capabilities: [chown, CAP_SETUID, NET_BIND_SERVICE]
network:
  raw: false
  packet: true
  protocols: [tcp, udp]
)";

std::string error_of(const std::string& yaml) {
    try {
        apparmor::parse_description(yaml, "d.yaml");
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("profile apparmor: the sample description parses", "[apparmor]") {
    auto d = apparmor::parse_description(kSample, "d.yaml");
    CHECK(d.name == "web");
    CHECK(d.writable == std::vector<std::string>{"/tmp/**", "/data dir/**"});
    CHECK(d.capabilities == std::vector<std::string>{"chown", "setuid", "net_bind_service"});
    CHECK_FALSE(d.raw);
    CHECK(d.packet);
    CHECK(d.protocols == std::vector<std::string>{"tcp", "udp"});
}

TEST_CASE("profile apparmor: the generated text", "[apparmor]") {
    std::string t = apparmor::generate(apparmor::parse_description(kSample, "d.yaml"));
    CHECK_THAT(t, Contains("#include <tunables/global>\n"));
    CHECK_THAT(t, Contains("profile web flags=(attach_disconnected,mediate_deleted) {\n  #include <abstractions/base>\n"));
    CHECK_THAT(t, Contains("\n  network inet tcp,\n  network inet6 tcp,\n  network inet udp,\n  network inet6 udp,\n"));
    CHECK_THAT(t, Contains("\n  deny network raw,\n  network packet,\n"));
    CHECK_THAT(t, Contains("\n  capability chown,\n  capability setuid,\n  capability net_bind_service,\n"));
    CHECK_THAT(t, Contains("\n  /{,**} rkm,\n"));  // everything readable, nothing else
    CHECK_THAT(t, Contains("\n  /tmp/** rwkl,\n  \"/data dir/**\" rwkl,\n"));
    CHECK_THAT(t, Contains("\n  audit /var/log/** w,\n"));
    CHECK_THAT(t, Contains("\n  deny /etc/** wl,\n"));
    CHECK_THAT(t, Contains("\n  /bin/busybox rmix,\n"));
    CHECK_THAT(t, !Contains("/{,**} ix,"));  // an allow list replaces "everything executable"
    CHECK_THAT(t, Contains("\n  deny /bin/nc mrwklx,\n"));
    CHECK_THAT(t, Contains("\n  signal (receive) peer=unconfined,\n"));
    CHECK_THAT(t, Contains("\n  signal (send,receive) peer=web,\n"));
    CHECK_THAT(t, Contains("\n  deny mount,\n"));
    CHECK_THAT(t, Contains("\n  deny @{PROC}/sysrq-trigger rwklx,\n"));
    CHECK_THAT(t, Contains("\n  deny /sys/firmware/** rwklx,\n"));
    CHECK(t.substr(t.size() - 2) == "}\n");
    // Nothing grants writes but the writable and log-on-write paths and the /dev nodes.
    std::vector<std::string> writers;
    std::istringstream in(t);
    for (std::string l; std::getline(in, l);)
        if (std::regex_match(l, std::regex("  (audit )?[/\"].* [a-z]*w[a-z]*,"))) writers.push_back(l);
    CHECK(writers == std::vector<std::string>{"  /dev/{null,zero,full,random,urandom,tty,console,ptmx} rw,", "  /dev/pts/* rw,",
                                              "  /tmp/** rwkl,", "  \"/data dir/**\" rwkl,", "  audit /var/log/** w,"});
}

TEST_CASE("profile apparmor: a minimal description allows no networking and no capabilities", "[apparmor]") {
    std::string t = apparmor::generate(apparmor::parse_description("name: min\n", "d.yaml"));
    CHECK_THAT(t, !Contains("network inet"));
    CHECK_THAT(t, !Contains("capability"));
    CHECK_THAT(t, Contains("\n  /{,**} ix,\n"));
    CHECK_THAT(t, Contains("deny network raw,"));
}

TEST_CASE("profile apparmor: errors name the field with line and column", "[apparmor]") {
    CHECK(error_of("name: web\nfilesystem:\n  writable: [/tmp, relative]\n") ==
          "d.yaml:3:20: filesystem.writable[1]: must be an absolute path");
    CHECK(error_of("name: web\nfilesystem:\n  writeable: [/tmp]\n") ==
          "d.yaml:3:3: filesystem.writeable: unknown key (known: allow_exec, deny_exec, log_on_write, read_only, writable)");
    CHECK(error_of("name: web\ncapabilities: [chown, flying]\n") ==
          "d.yaml:2:23: capabilities[1]: unknown capability \"flying\"");
    CHECK(error_of("name: web\nnetwork:\n  raw: maybe\n") == "d.yaml:3:8: network.raw: expected true or false, got \"maybe\"");
    CHECK(error_of("name: web\nnetwork: {protocols: [quic]}\n") ==
          "d.yaml:2:23: network.protocols[0]: unknown protocol \"quic\" (tcp, udp or icmp)");
    CHECK(error_of("name: \"a b\"\n") == "d.yaml:1:7: name: letters, digits, '-', '_' and '.' only");
    CHECK(error_of("name: web\nfilesystem:\n  writable: [\"/tmp/x, /etc/**\"]\n") ==
          "d.yaml:3:14: filesystem.writable[0]: must not contain \",\"");
    CHECK_THAT(error_of("name: [web\n"), Contains("d.yaml:2:1: invalid YAML"));
}
