#include "compile.hpp"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/filter.h>

#include <algorithm>
#include <cerrno>
#include <map>

#include "../libcontainer/util/error.hpp"
#include "../libcontainer/util/fd.hpp"

namespace docklock::seccomp {
namespace {

struct Ctx {
    scmp_filter_ctx c;
    ~Ctx() {
        if (c) seccomp_release(c);
    }
};

uint32_t action_of(const std::string& name, std::optional<uint32_t> errno_ret, const std::string& field, bool& notify) {
    uint32_t e = errno_ret.value_or(EPERM);
    if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL_THREAD;
    if (name == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
    if (name == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
    if (name == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(e);
    if (name == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(e);
    if (name == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
    if (name == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
    if (name == "SCMP_ACT_NOTIFY") {
        notify = true;
        return SCMP_ACT_NOTIFY;
    }
    throw Error(field + ": unknown seccomp action \"" + name + "\"");
}

scmp_compare op_of(const std::string& op, const std::string& field) {
    static const std::map<std::string, scmp_compare> t{{"SCMP_CMP_NE", SCMP_CMP_NE},
                                                       {"SCMP_CMP_LT", SCMP_CMP_LT},
                                                       {"SCMP_CMP_LE", SCMP_CMP_LE},
                                                       {"SCMP_CMP_EQ", SCMP_CMP_EQ},
                                                       {"SCMP_CMP_GE", SCMP_CMP_GE},
                                                       {"SCMP_CMP_GT", SCMP_CMP_GT},
                                                       {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ}};
    auto it = t.find(op);
    if (it == t.end()) throw Error(field + ": unknown seccomp operator \"" + op + "\"");
    return it->second;
}

uint32_t arch_of(const std::string& name, const std::string& field) {
    std::string n = name;
    if (n.rfind("SCMP_ARCH_", 0) == 0) n = n.substr(10);
    for (auto& ch : n) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    uint32_t a = seccomp_arch_resolve_name(n.c_str());
    if (a == 0) throw Error(field + ": unknown architecture \"" + name + "\"");
    return a;
}

unsigned flag_of(const std::string& f, const std::string& field) {
    if (f == "SECCOMP_FILTER_FLAG_TSYNC") return SECCOMP_FILTER_FLAG_TSYNC;
    if (f == "SECCOMP_FILTER_FLAG_LOG") return SECCOMP_FILTER_FLAG_LOG;
    if (f == "SECCOMP_FILTER_FLAG_SPEC_ALLOW") return SECCOMP_FILTER_FLAG_SPEC_ALLOW;
#ifdef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
    if (f == "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") return SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
#else
    if (f == "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") return 1U << 5;
#endif
    throw Error(field + ": unknown seccomp flag \"" + f + "\"");
}

void check(int rc, const std::string& what) {
    if (rc < 0) throw Error(what, -rc);
}

// A profile written for an older kernel must not answer a newer syscall with EPERM: libc only falls
// back (clone3 -> clone, statx -> fstatat, ...) on ENOSYS. As runc does, native syscalls numbered above
// every syscall the profile names return ENOSYS; this stub runs before libseccomp's program. BPF jumps
// are relative, so prepending leaves the program intact.
void prepend_enosys_stub(std::vector<sock_filter>& prog, uint32_t native_arch, int max_nr) {
    constexpr uint32_t kX32Bit = 0x40000000;  // x32 calls on x86_64: libseccomp's program decides them
    const bool x86_64 = native_arch == SCMP_ARCH_X86_64;
    std::vector<sock_filter> stub{
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),                                  // arch
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, native_arch, 0, 4),                 // foreign -> program
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),                                  // nr
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, x86_64 ? kX32Bit : 0xffffffffU, 2, 0),  // x32 -> program
        BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, static_cast<uint32_t>(max_nr), 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)),
    };
    prog.insert(prog.begin(), stub.begin(), stub.end());
}

}  // namespace

process::SeccompPlan compile(const spec::Seccomp& s, std::vector<std::string>* skipped) {
    process::SeccompPlan plan;
    plan.present = true;
    bool notify = false;
    uint32_t def = action_of(s.defaultAction, s.defaultErrnoRet, "linux.seccomp.defaultAction", notify);
    Ctx ctx{seccomp_init(def)};
    if (!ctx.c) throw Error("linux.seccomp: seccomp_init failed");
    // The runtime loads the program itself; libseccomp must not set no_new_privs on its own.
    check(seccomp_attr_set(ctx.c, SCMP_FLTATR_CTL_NNP, 0), "linux.seccomp: disable NNP attribute");
    if (!s.architectures.empty()) {
        bool native_listed = false;
        uint32_t native = seccomp_arch_native();
        for (size_t i = 0; i < s.architectures.size(); ++i) {
            uint32_t a = arch_of(s.architectures[i], "linux.seccomp.architectures[" + std::to_string(i) + "]");
            if (a == native) {
                native_listed = true;
                continue;
            }
            int rc = seccomp_arch_add(ctx.c, a);
            if (rc < 0 && rc != -EEXIST) check(rc, "linux.seccomp.architectures: add " + s.architectures[i]);
        }
        if (!native_listed) check(seccomp_arch_remove(ctx.c, native), "linux.seccomp.architectures: remove native");
    }
    for (size_t i = 0; i < s.flags.size(); ++i)
        plan.flags |= flag_of(s.flags[i], "linux.seccomp.flags[" + std::to_string(i) + "]");
    int max_nr = -1;  // the newest native syscall the profile names
    for (size_t r = 0; r < s.syscalls.size(); ++r) {
        const auto& rule = s.syscalls[r];
        for (const auto& name : rule.names) max_nr = std::max(max_nr, seccomp_syscall_resolve_name(name.c_str()));
        std::string field = "linux.seccomp.syscalls[" + std::to_string(r) + "]";
        uint32_t act = action_of(rule.action, rule.errnoRet, field + ".action", notify);
        std::vector<scmp_arg_cmp> conds;
        bool unique = true;
        for (size_t a = 0; a < rule.args.size(); ++a) {
            const auto& x = rule.args[a];
            if (x.index > 5) throw Error(field + ".args[" + std::to_string(a) + "].index: must be 0..5");
            conds.push_back({x.index, op_of(x.op, field + ".args[" + std::to_string(a) + "].op"), x.value, x.valueTwo});
            for (size_t b = 0; b < a; ++b)
                if (rule.args[b].index == x.index) unique = false;
        }
        if (act == def) continue;  // libseccomp refuses rules that repeat the default
        for (const auto& name : rule.names) {
            int nr = seccomp_syscall_resolve_name(name.c_str());
            if (nr == __NR_SCMP_ERROR) {
                if (skipped) skipped->push_back(name);
                continue;
            }
            // runc's semantics: distinct argument indexes form one AND rule; repeated indexes form OR rules.
            if (conds.empty() || unique) {
                check(seccomp_rule_add_array(ctx.c, act, nr, static_cast<unsigned>(conds.size()), conds.data()),
                      field + ": add rule for " + name);
            } else {
                for (const auto& c : conds)
                    check(seccomp_rule_add_array(ctx.c, act, nr, 1, &c), field + ": add rule for " + name);
            }
        }
    }
    plan.notify = notify;
    UniqueFd mem(memfd_create("docklock-bpf", MFD_CLOEXEC));
    if (!mem) sys_fail("memfd_create for seccomp");
    check(seccomp_export_bpf(ctx.c, mem.get()), "linux.seccomp: export BPF");
    off_t size = lseek(mem.get(), 0, SEEK_END);
    plan.prog.resize(static_cast<size_t>(size) / sizeof(sock_filter));
    if (pread(mem.get(), plan.prog.data(), static_cast<size_t>(size), 0) != size) sys_fail("read seccomp BPF");
    // Only where an unknown call would be refused anyway: an allow-by-default filter stays as written.
    bool refusing = def != SCMP_ACT_ALLOW && def != SCMP_ACT_LOG && def != SCMP_ACT_NOTIFY;
    bool native_filtered = s.architectures.empty();
    for (const auto& a : s.architectures)
        if (arch_of(a, "linux.seccomp.architectures") == seccomp_arch_native()) native_filtered = true;
    if (refusing && native_filtered && max_nr >= 0) prepend_enosys_stub(plan.prog, seccomp_arch_native(), max_nr);
    return plan;
}

std::vector<std::string> supported_actions() {
    return {"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO",  "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
            "SCMP_ACT_LOG",   "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP"};
}
std::vector<std::string> supported_operators() {
    return {"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE"};
}
std::vector<std::string> supported_archs() {
    return {"SCMP_ARCH_X86_64",      "SCMP_ARCH_X86",    "SCMP_ARCH_X32",       "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM",
            "SCMP_ARCH_MIPS",        "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64",
            "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",    "SCMP_ARCH_PPC64",     "SCMP_ARCH_PPC64LE", "SCMP_ARCH_RISCV64",
            "SCMP_ARCH_S390",        "SCMP_ARCH_S390X"};
}
std::vector<std::string> known_flags() {
    return {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
            "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
}
std::string library_version() {
    const scmp_version* v = seccomp_version();
    return std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->micro);
}

}  // namespace docklock::seccomp
