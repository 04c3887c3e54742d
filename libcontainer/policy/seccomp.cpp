// Seccomp: a missing or unconfined profile becomes docklock's default profile, re-evaluated for the
// capabilities the container keeps. A client's own profile is kept as it is; denying the never-allowed
// calls on top of it is a second, stacked filter (seccomp/).
// With `profile` (a file the loader has read, e.g. recorded by `docklock profile record`), that
// profile takes the default's place (replace: missing), or every client profile's (replace: all);
// it is the admin's, not docklock's, so the never-allowed filter is stacked on it too.
#include "../util/error.hpp"
#include "controls.hpp"

namespace docklock::policy {
namespace embedded {
spec::Seccomp docklock_default_seccomp();  // generated from seccomp/profiles/docklock-default.json
}

spec::Seccomp default_seccomp_profile() {
    // Built fresh each call (from tables, ~20 µs): one create needs it once, and a cached copy
    // would be copied again into the spec anyway.
    spec::Seccomp s = embedded::docklock_default_seccomp();
    // Native architecture only: other ABIs (x32, i386 on x86_64) get the filter's bad-arch kill.
#if defined(__x86_64__)
    s.architectures = {"SCMP_ARCH_X86_64"};
#elif defined(__aarch64__)
    s.architectures = {"SCMP_ARCH_AARCH64"};
#else
    s.architectures.clear();  // libseccomp's native architecture only
#endif
    return s;
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

// The calls no container may make whatever its profile says: the refusing rules of docklock's own
// profile (io_uring, keyrings, userfaultfd, bpf, perf_event_open, handles, mount family, unshare and
// setns, AF_ALG/AF_VSOCK sockets, clone3 -> ENOSYS), plus clone with a CLONE_NEW* flag, in a filter
// that allows everything else, native architecture only (a foreign ABI is killed).
spec::Seccomp never_filter() {
    spec::Seccomp base = default_seccomp_profile();
    spec::Seccomp f;
    f.defaultAction = "SCMP_ACT_ALLOW";
    f.architectures = std::move(base.architectures);
    for (auto& r : base.syscalls)
        if (r.action != "SCMP_ACT_ALLOW") f.syscalls.push_back(std::move(r));
    spec::SyscallRule clone_ns{{"clone"}, "SCMP_ACT_ERRNO", 1, {}};
    for (uint64_t flag :
         {0x00020000ULL /* NEWNS */, 0x02000000ULL /* NEWCGROUP */, 0x04000000ULL /* NEWUTS */, 0x08000000ULL /* NEWIPC */,
          0x10000000ULL /* NEWUSER */, 0x20000000ULL /* NEWPID */, 0x40000000ULL /* NEWNET */})
        clone_ns.args.push_back({0, flag, flag, "SCMP_CMP_MASKED_EQ"});  // repeated index: any flag matches
    f.syscalls.push_back(clone_ns);
    return f;
}

bool unconfined(const spec::Seccomp& s) {
    auto weak = [](const std::string& a) { return a == "SCMP_ACT_ALLOW" || a == "SCMP_ACT_LOG"; };
    if (!weak(s.defaultAction)) return false;
    for (const auto& r : s.syscalls)
        if (!weak(r.action)) return false;
    return true;
}

}  // namespace

static spec::Seccomp policy_profile(const Policy& p) {
    nlohmann::json j{{"ociVersion", "1.0.2"}, {"root", {{"path", "rootfs"}}}, {"linux", {{"seccomp", p.seccomp_profile}}}};
    return *spec::parse_spec_json(j, p.control("seccomp").str("profile")).linux->seccomp;
}

void seccomp(Ctx& x, spec::Spec& s) {
    const std::string id = "seccomp";
    if (x.mode(id) == Mode::Off) return;
    auto& l = *s.linux;
    const bool has_profile = !x.policy.seccomp_profile.is_null();
    const std::string file = x.control(id).str("profile");
    if (has_profile && x.control(id).str("replace") == "all" && l.seccomp && !unconfined(*l.seccomp)) {
        if (x.mode(id) != Mode::Enforce) return;  // a client's own profile is no violation
        x.add(id, "linux.seccomp", "the client's profile", file + " + docklock's never-allowed filter",
              "is replaced by the policy's profile (seccomp.replace: all); the calls the baseline never allows are "
              "denied by a stacked filter");
        l.seccomp = policy_profile(x.policy);
        l.seccompStack.push_back(never_filter());
        return;
    }
    if (l.seccomp && !unconfined(*l.seccomp)) {
        // The client's profile is kept; the never-allowed calls are denied on top of it.
        // A kept profile is no violation, so reject and audit leave it alone.
        if (x.mode(id) != Mode::Enforce) return;
        x.add(id, "linux.seccomp", "the client's profile", "the client's profile + docklock's never-allowed filter",
              "is the client's own: the calls the baseline never allows (io_uring, bpf, keyrings, mount, namespaces, "
              "AF_ALG/AF_VSOCK, foreign ABIs) are denied by a stacked filter");
        l.seccompStack.push_back(never_filter());
        return;
    }
    std::string requested = l.seccomp ? "unconfined (" + l.seccomp->defaultAction + ")" : "none";
    if (!x.violation(id, "linux.seccomp", requested,
                     has_profile ? file + " + docklock's never-allowed filter" : "docklock-default",
                     l.seccomp ? "is unconfined: every syscall is allowed" : "is missing: every syscall is allowed"))
        return;
    if (has_profile) {
        l.seccomp = policy_profile(x.policy);
        l.seccompStack.push_back(never_filter());
        return;
    }
    spec::Seccomp p = default_seccomp_profile();
    std::vector<std::string> kept;
    if (s.process && s.process->capabilities) kept = s.process->capabilities->bounding;
    for (const auto& [cap, calls] : cap_gated())
        if (contains(kept, cap)) p.syscalls.push_back({calls, "SCMP_ACT_ALLOW", std::nullopt, {}});
    l.seccomp = std::move(p);
}

}  // namespace detail
}  // namespace docklock::policy
