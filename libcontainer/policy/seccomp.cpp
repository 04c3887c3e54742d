// Seccomp: a missing or unconfined profile becomes docklock's default profile, re-evaluated for the
// capabilities the container keeps. A client's own profile is kept as it is; denying the never-allowed
// calls on top of it is a second, stacked filter (seccomp/).
#include "../util/error.hpp"
#include "controls.hpp"

namespace docklock::policy {
namespace embedded {
extern const char docklock_default_seccomp_json[];  // generated from seccomp/profiles/docklock-default.json
}

const spec::Seccomp& default_seccomp_profile() {
    static const spec::Seccomp profile = [] {
        nlohmann::json j{{"ociVersion", "1.0.2"},
                         {"root", {{"path", "rootfs"}}},
                         {"linux", {{"seccomp", nlohmann::json::parse(embedded::docklock_default_seccomp_json)}}}};
        spec::Seccomp s = *spec::parse_spec_json(j, "seccomp/profiles/docklock-default.json").linux->seccomp;
        // Native architecture only: other ABIs (x32, i386 on x86_64) get the filter's bad-arch kill.
#if defined(__x86_64__)
        s.architectures = {"SCMP_ARCH_X86_64"};
#elif defined(__aarch64__)
        s.architectures = {"SCMP_ARCH_AARCH64"};
#else
        s.architectures.clear();  // libseccomp's native architecture only
#endif
        return s;
    }();
    return profile;
}

namespace detail {
namespace {

// Docker's default profile allows these only to containers that hold the capability. The never-list
// capabilities (SYS_ADMIN, SYS_MODULE, SYS_RAWIO, SYS_PTRACE, SYS_BOOT, SYS_TIME, SYSLOG, ...) have
// no entry: whatever an admin allows, their calls stay denied.
const std::vector<std::pair<std::string, std::vector<std::string>>>& cap_gated() {
    static const std::vector<std::pair<std::string, std::vector<std::string>>> t{
        {"CAP_SYS_CHROOT", {"chroot"}},
        {"CAP_SYS_NICE", {"get_mempolicy", "mbind", "set_mempolicy"}},
        {"CAP_SYS_PACCT", {"acct"}},
        {"CAP_SYS_TTY_CONFIG", {"vhangup"}}};
    return t;
}

bool unconfined(const spec::Seccomp& s) {
    auto weak = [](const std::string& a) { return a == "SCMP_ACT_ALLOW" || a == "SCMP_ACT_LOG"; };
    if (!weak(s.defaultAction)) return false;
    for (const auto& r : s.syscalls)
        if (!weak(r.action)) return false;
    return true;
}

}  // namespace

void seccomp(Ctx& x, spec::Spec& s) {
    const std::string id = "seccomp";
    if (x.mode(id) == Mode::Off) return;
    auto& l = *s.linux;
    if (l.seccomp && !unconfined(*l.seccomp)) return;
    std::string requested = l.seccomp ? "unconfined (" + l.seccomp->defaultAction + ")" : "none";
    if (!x.violation(id, "linux.seccomp", requested, "docklock-default",
                     l.seccomp ? "is unconfined: every syscall is allowed" : "is missing: every syscall is allowed"))
        return;
    spec::Seccomp p = default_seccomp_profile();
    std::vector<std::string> kept;
    if (s.process && s.process->capabilities) kept = s.process->capabilities->bounding;
    for (const auto& [cap, calls] : cap_gated())
        if (contains(kept, cap)) p.syscalls.push_back({calls, "SCMP_ACT_ALLOW", std::nullopt, {}});
    l.seccomp = p;
}

}  // namespace detail
}  // namespace docklock::policy
