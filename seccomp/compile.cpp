#include "compile.hpp"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/filter.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

#include "../libcontainer/util/error.hpp"
#include "../libcontainer/util/fd.hpp"
#include "../libcontainer/util/fs.hpp"
#include "../libcontainer/util/log.hpp"

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
    if (errno_ret && name != "SCMP_ACT_ERRNO" && name != "SCMP_ACT_TRACE")  // the runtime-spec: MUST fail
        throw Error(field + ": an errno return code is only valid with SCMP_ACT_ERRNO and SCMP_ACT_TRACE, not " + name);
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

// libseccomp's part: the BPF program (ENOSYS stub included) and the names it did not know.
std::vector<sock_filter> build_program(const spec::Seccomp& s, std::vector<std::string>& skipped) {
    std::vector<sock_filter> prog;
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
                skipped.push_back(name);
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
    UniqueFd mem(memfd_create("docklock-bpf", MFD_CLOEXEC));
    if (!mem) sys_fail("memfd_create for seccomp");
    check(seccomp_export_bpf(ctx.c, mem.get()), "linux.seccomp: export BPF");
    off_t size = lseek(mem.get(), 0, SEEK_END);
    prog.resize(static_cast<size_t>(size) / sizeof(sock_filter));
    if (pread(mem.get(), prog.data(), static_cast<size_t>(size), 0) != size) sys_fail("read seccomp BPF");
    // Only where an unknown call would be refused anyway: an allow-by-default filter stays as written.
    bool refusing = def != SCMP_ACT_ALLOW && def != SCMP_ACT_LOG && def != SCMP_ACT_NOTIFY;
    bool native_filtered = s.architectures.empty();
    for (const auto& a : s.architectures)
        if (arch_of(a, "linux.seccomp.architectures") == seccomp_arch_native()) native_filtered = true;
    if (refusing && native_filtered && max_nr >= 0) prepend_enosys_stub(prog, seccomp_arch_native(), max_nr);
    return prog;
}

// ---- The BPF cache: <state root>/seccomp-cache/<fnv1a64 of the input>.bpf ----
// Entry: magic, the canonical input (compared byte for byte: a hash collision never loads another
// profile's program), the skipped names, the program, and an FNV-1a 64 of everything before it
// (corruption and casual edits are caught; the directory is root's 0700 like the rest of the state).
struct CacheConfig {
    std::string dir;  // empty: no cache
    std::string tag;  // docklock version, set by the runtime
};
CacheConfig& cache_config() {
    static CacheConfig c;
    return c;
}

constexpr char kMagic[8] = {'D', 'L', 'S', 'C', 'M', 'P', '0', '1'};

uint64_t fnv1a64(const void* data, size_t n, uint64_t h = 0xcbf29ce484222325ULL) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < n; ++i) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

std::string hex64(uint64_t v) {
    char b[17];
    std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(v));
    return b;
}

// Everything the program depends on: the filter's fields (not the agent's), libseccomp (its syscall
// tables), the native architecture, this build of docklock (compile.cpp's build time included, so
// a rebuilt compiler never meets an old entry).
std::string canonical_input(const spec::Seccomp& s) {
    nlohmann::json j = spec::to_json(s);
    j.erase("listenerPath");
    j.erase("listenerMetadata");
    j.erase("flags");  // passed to seccomp(2), not part of the program
    nlohmann::json k{{"filter", j},
                     {"libseccomp", library_version()},
                     {"arch", seccomp_arch_native()},
                     {"docklock", cache_config().tag + " " __DATE__ " " __TIME__},
                     {"format", 1}};
    return k.dump();
}

void put32(std::string& out, uint32_t v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); }

bool get32(const std::string& in, size_t& at, uint32_t& v) {
    if (in.size() - at < sizeof v) return false;
    std::memcpy(&v, in.data() + at, sizeof v);
    at += sizeof v;
    return true;
}

std::string encode(const std::string& input, const std::vector<std::string>& skipped, const std::vector<sock_filter>& prog) {
    std::string out(kMagic, sizeof kMagic);
    put32(out, static_cast<uint32_t>(input.size()));
    out += input;
    std::string sk = nlohmann::json(skipped).dump();
    put32(out, static_cast<uint32_t>(sk.size()));
    out += sk;
    put32(out, static_cast<uint32_t>(prog.size()));
    out.append(reinterpret_cast<const char*>(prog.data()), prog.size() * sizeof(sock_filter));
    uint64_t h = fnv1a64(out.data(), out.size());
    out.append(reinterpret_cast<const char*>(&h), sizeof h);
    return out;
}

// Returns "" and fills prog/skipped, or the reason the entry is not used.
std::string decode(const std::string& in, const std::string& input, std::vector<sock_filter>& prog,
                   std::vector<std::string>& skipped) {
    if (in.size() < sizeof kMagic + sizeof(uint64_t) || std::memcmp(in.data(), kMagic, sizeof kMagic) != 0)
        return "not a docklock seccomp cache entry";
    uint64_t h;
    std::memcpy(&h, in.data() + in.size() - sizeof h, sizeof h);
    if (h != fnv1a64(in.data(), in.size() - sizeof h)) return "checksum mismatch";
    std::string body = in.substr(0, in.size() - sizeof h);
    size_t at = sizeof kMagic;
    uint32_t n;
    if (!get32(body, at, n) || body.size() - at < n) return "truncated";
    if (body.compare(at, n, input) != 0 || n != input.size()) return "stored input differs (hash collision or other profile)";
    at += n;
    if (!get32(body, at, n) || body.size() - at < n) return "truncated";
    try {
        skipped = nlohmann::json::parse(body.substr(at, n)).get<std::vector<std::string>>();
    } catch (const std::exception&) {
        return "bad skipped list";
    }
    at += n;
    if (!get32(body, at, n) || n == 0 || n > BPF_MAXINSNS || body.size() - at != size_t{n} * sizeof(sock_filter))
        return "bad program length";
    prog.resize(n);
    std::memcpy(prog.data(), body.data() + at, body.size() - at);
    return "";
}

// The cache directory, made 0700 if missing; "" if it is not a private directory of ours.
std::string cache_dir() {
    const std::string& d = cache_config().dir;
    if (d.empty()) return "";
    if (::mkdir(d.c_str(), 0700) < 0 && errno != EEXIST) {
        log::debug("seccomp: cache directory " + d + " unusable: " + std::strerror(errno));
        return "";
    }
    struct stat st;
    if (::lstat(d.c_str(), &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::geteuid() || (st.st_mode & 022)) {
        log::debug("seccomp: cache directory " + d + " is not a private directory of this user: not used");
        return "";
    }
    return d;
}

}  // namespace

void set_cache(const std::string& dir, const std::string& tag) {
    cache_config() = {dir, tag};
}

process::SeccompPlan compile(const spec::Seccomp& s, std::vector<std::string>* skipped) {
    process::SeccompPlan plan;
    plan.present = true;
    // Validated on every call, cache or not: actions, errno use, flags, the agent fields.
    bool notify = false;
    action_of(s.defaultAction, s.defaultErrnoRet, "linux.seccomp.defaultAction", notify);
    if (notify)  // every syscall, sendmsg of the listener included, would wait for an agent not yet given it
        throw Error("linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
    for (size_t r = 0; r < s.syscalls.size(); ++r) {
        bool n = false;
        std::string field = "linux.seccomp.syscalls[" + std::to_string(r) + "]";
        action_of(s.syscalls[r].action, s.syscalls[r].errnoRet, field + ".action", n);
        if (n)
            for (const auto& name : s.syscalls[r].names)
                if (name == "sendmsg")  // the listener travels to the runtime over sendmsg (runc: write)
                    throw Error(field + ": SCMP_ACT_NOTIFY cannot be used for sendmsg: the runtime needs it to pass the listener");
        notify |= n;
    }
    if (!s.listenerMetadata.empty() && s.listenerPath.empty())
        throw Error("linux.seccomp.listenerMetadata: must not be set without listenerPath");
    for (size_t i = 0; i < s.flags.size(); ++i) {
        std::string field = "linux.seccomp.flags[" + std::to_string(i) + "]";
        unsigned f = flag_of(s.flags[i], field);
        if (!flag_supported(s.flags[i])) throw Error(field + ": " + s.flags[i] + " is not supported by this kernel");
        if (f == (1U << 5) && !notify) {  // WAIT_KILLABLE_RECV: the kernel takes it only with a listener
            log::debug("seccomp: " + s.flags[i] + " ignored: the profile has no SCMP_ACT_NOTIFY rule");
            continue;
        }
        plan.flags |= f;
    }
    // TSYNC with a listener: the kernel wants TSYNC_ESRCH too (a thread it cannot sync is ESRCH, not a tid).
    if (notify && (plan.flags & SECCOMP_FILTER_FLAG_TSYNC)) plan.flags |= 1U << 4;
    plan.notify = notify;

    std::vector<std::string> names;
    const std::string dir = cache_dir();
    if (dir.empty()) {
        plan.prog = build_program(s, names);
    } else {
        const std::string input = canonical_input(s);
        const std::string key = hex64(fnv1a64(input.data(), input.size()));
        const std::string path = dir + "/" + key + ".bpf";
        std::string text;
        bool hit = false;
        try {
            if (fs::read_file_if_exists(path, text)) {
                std::string why = decode(text, input, plan.prog, names);
                if (why.empty()) hit = true;
                else log::debug("seccomp: cache entry " + path + " rejected (" + why + "): recompiling");
            }
        } catch (const std::exception& e) {
            log::debug("seccomp: cache entry " + path + " unreadable (" + e.what() + "): recompiling");
        }
        if (hit) {
            log::debug("seccomp: cache hit " + key);
        } else {
            names.clear();
            plan.prog = build_program(s, names);
            try {
                fs::replace_file(path, encode(input, names, plan.prog), 0600);
                log::debug("seccomp: cache miss " + key + ": compiled and stored");
            } catch (const std::exception& e) {
                log::debug("seccomp: cache miss " + key + ": compiled, not stored (" + e.what() + ")");
            }
        }
    }
    if (skipped) skipped->insert(skipped->end(), names.begin(), names.end());
    return plan;
}

bool flag_supported(const std::string& f) {
    unsigned flag;
    try {
        flag = flag_of(f, "");
    } catch (const Error&) {
        return false;
    }
    // The kernel checks the flags before it reads the program: EFAULT for a NULL program means the
    // flags were accepted. WAIT_KILLABLE_RECV is valid only with NEW_LISTENER.
    if (flag == (1U << 5)) flag |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
    long rc = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, nullptr);
    return rc < 0 && errno == EFAULT;
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
std::vector<std::string> supported_flags() {
    std::vector<std::string> out;
    for (const auto& f : known_flags())
        if (flag_supported(f)) out.push_back(f);
    return out;
}
std::string library_version() {
    const scmp_version* v = seccomp_version();
    return std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->micro);
}

}  // namespace docklock::seccomp
