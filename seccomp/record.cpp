#include "record.hpp"

#include <dirent.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "../libcontainer/util/error.hpp"
#include "../libcontainer/util/fd.hpp"
#include "../libcontainer/util/log.hpp"

namespace docklock::seccomp {

process::SeccompPlan recorder_plan() {
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_NOTIFY);
    if (!ctx) throw Error("seccomp recorder: seccomp_init failed");
    struct Release {
        scmp_filter_ctx c;
        ~Release() { seccomp_release(c); }
    } release{ctx};
    if (int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0); rc < 0) throw Error("seccomp recorder: NNP attribute", -rc);
    UniqueFd mem(memfd_create("docklock-recorder", MFD_CLOEXEC));
    if (!mem) sys_fail("memfd_create for the seccomp recorder");
    if (int rc = seccomp_export_bpf(ctx, mem.get()); rc < 0) throw Error("seccomp recorder: export BPF", -rc);
    off_t size = lseek(mem.get(), 0, SEEK_END);
    process::SeccompPlan plan;
    plan.present = true;
    plan.record = true;
    plan.prog.resize(static_cast<size_t>(size) / sizeof(sock_filter));
    if (pread(mem.get(), plan.prog.data(), static_cast<size_t>(size), 0) != size) sys_fail("read seccomp recorder BPF");
    return plan;
}

Recorder::Recorder(pid_t init, std::chrono::milliseconds attach_timeout)
    : init_(init), timeout_(attach_timeout), thread_([this] { run(); }) {}

Recorder::~Recorder() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
}

std::set<int> Recorder::finish() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (!error_.empty()) throw Error("seccomp recorder: " + error_);
    std::lock_guard<std::mutex> l(mu_);
    return seen_;
}

namespace {

// The init's fd that is a seccomp listener, or -1.
int find_listener(pid_t pid) {
    std::string dir = "/proc/" + std::to_string(pid) + "/fd";
    DIR* d = ::opendir(dir.c_str());
    if (!d) return -1;
    int found = -1;
    while (dirent* e = ::readdir(d)) {
        if (e->d_name[0] == '.') continue;
        char target[128];
        ssize_t n = ::readlink((dir + "/" + e->d_name).c_str(), target, sizeof target - 1);
        if (n <= 0) continue;
        target[n] = '\0';
        if (std::strcmp(target, "anon_inode:seccomp notify") == 0) {
            found = std::atoi(e->d_name);
            break;
        }
    }
    ::closedir(d);
    return found;
}

}  // namespace

void Recorder::fail(int pidfd, const std::string& why) {
    error_ = why;
    if (pidfd >= 0) ::syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, nullptr, 0);
}

void Recorder::run() {
    // 1. Wait for the init to load the filter (it blocks in its next syscall until we answer).
    UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, init_, 0)));
    if (!pidfd) {
        if (errno != ESRCH) error_ = std::string("pidfd_open of the workload: ") + std::strerror(errno);
        return;  // ESRCH: it exited before its execve (finish() finds nothing attached)
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout_;
    UniqueFd listener;
    while (!listener) {
        if (stop_) return;  // the container never got that far
        if (std::chrono::steady_clock::now() > deadline) {
            long ms = static_cast<long>(timeout_.count());
            std::string t = ms % 1000 == 0 ? std::to_string(ms / 1000) + "s" : std::to_string(ms) + "ms";
            fail(pidfd.get(), "the workload did not load the recording filter within " + t +
                                  " (it failed or hung before its execve); it was killed");
            return;
        }
        int target = find_listener(init_);
        if (target >= 0) {
            int fd = static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd.get(), target, 0));
            if (fd >= 0) {
                listener.reset(fd);
                break;
            }
            if (errno != EBADF) {
                fail(pidfd.get(), std::string("pidfd_getfd of the seccomp listener: ") + std::strerror(errno));
                return;
            }
        }
        std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    attached_ = true;

    // 2. Answer every notification: record, continue. Until no process uses the filter (POLLHUP)
    // or, once the workload has exited, nothing is pending.
    seccomp_notif_sizes sizes{};
    if (::syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0) {
        fail(pidfd.get(), std::string("SECCOMP_GET_NOTIF_SIZES: ") + std::strerror(errno));
        return;
    }
    std::vector<char> req_buf(std::max<size_t>(sizes.seccomp_notif, sizeof(seccomp_notif)));
    std::vector<char> resp_buf(std::max<size_t>(sizes.seccomp_notif_resp, sizeof(seccomp_notif_resp)));
    for (;;) {
        pollfd pfd{listener.get(), POLLIN, 0};
        int n = ::poll(&pfd, 1, 50);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            fail(pidfd.get(), std::string("poll the seccomp listener: ") + std::strerror(errno));
            return;
        }
        if (n == 0) {
            if (stop_) return;
            continue;
        }
        if (pfd.revents & POLLIN) {
            std::memset(req_buf.data(), 0, req_buf.size());
            auto* req = reinterpret_cast<seccomp_notif*>(req_buf.data());
            if (::ioctl(listener.get(), SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
                if (errno == EINTR || errno == ENOENT) continue;  // the caller went away meanwhile
                fail(pidfd.get(), std::string("SECCOMP_IOCTL_NOTIF_RECV: ") + std::strerror(errno));
                return;
            }
            {
                std::lock_guard<std::mutex> l(mu_);
                seen_.insert(req->data.nr);
            }
            std::memset(resp_buf.data(), 0, resp_buf.size());
            auto* resp = reinterpret_cast<seccomp_notif_resp*>(resp_buf.data());
            resp->id = req->id;
            resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
            if (::ioctl(listener.get(), SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 && errno != ENOENT && errno != EINTR) {
                fail(pidfd.get(), std::string("SECCOMP_IOCTL_NOTIF_SEND: ") + std::strerror(errno));
                return;
            }
            continue;
        }
        if (pfd.revents & (POLLHUP | POLLERR)) return;  // no process is left under the filter
    }
}

std::string native_arch_name() {
    switch (seccomp_arch_native()) {
        case SCMP_ARCH_X86_64: return "SCMP_ARCH_X86_64";
        case SCMP_ARCH_X86: return "SCMP_ARCH_X86";
        case SCMP_ARCH_AARCH64: return "SCMP_ARCH_AARCH64";
        case SCMP_ARCH_ARM: return "SCMP_ARCH_ARM";
        case SCMP_ARCH_PPC64LE: return "SCMP_ARCH_PPC64LE";
        case SCMP_ARCH_S390X: return "SCMP_ARCH_S390X";
        case SCMP_ARCH_RISCV64: return "SCMP_ARCH_RISCV64";
        default: throw Error("seccomp: no name for the native architecture");
    }
}

std::string syscall_name(int nr) {
    char* n = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
    if (!n) return "";
    std::string s = n;
    std::free(n);
    return s;
}

const std::vector<std::string>& runtime_after_filter() {
    // process/init.cpp after load_all_seccomp when no_new_privs is off: change_user (prctl keepcaps,
    // capability bounding set and ambient, setgroups, setresgid, setresuid, capset), umask,
    // close_range (fcntl on old kernels), PR_SET_PDEATHSIG, Ready over the sync socket (sendmsg),
    // accept4 and recv on start.sock, execve; an error on the way is sendmsg or write, then exit.
    static const std::vector<std::string> n{"accept4", "capget",   "capset",   "close",     "close_range", "execve",
                                            "exit",    "exit_group", "fcntl",  "prctl",     "read",        "recvfrom",
                                            "recvmsg", "rt_sigreturn", "sendmsg", "sendto", "setgroups",   "setresgid",
                                            "setresuid", "umask",   "write"};
    return n;
}

spec::Seccomp profile_of(const std::set<std::string>& names) {
    spec::Seccomp p;
    p.defaultAction = "SCMP_ACT_ERRNO";
    p.defaultErrnoRet = 1;  // EPERM
    p.architectures = {native_arch_name()};
    if (!names.empty()) {
        spec::SyscallRule r;
        r.names.assign(names.begin(), names.end());
        r.action = "SCMP_ACT_ALLOW";
        p.syscalls.push_back(r);
    }
    // Without no_new_privs (Docker's default config), a filter is loaded while the runtime still
    // holds CAP_SYS_ADMIN, before it drops capabilities and execs, as runc does: the profile must
    // let those last calls through or the container dies before its process starts. They are a
    // rule of their own, after the workload's.
    spec::SyscallRule rt;
    rt.names = runtime_after_filter();
    rt.action = "SCMP_ACT_ALLOW";
    p.syscalls.push_back(rt);
    return p;
}

nlohmann::json docker_format(const spec::Seccomp& p) {
    nlohmann::json j{{"defaultAction", p.defaultAction}};
    if (p.defaultErrnoRet) j["defaultErrnoRet"] = *p.defaultErrnoRet;
    nlohmann::json archs = nlohmann::json::array();
    for (const auto& a : p.architectures) archs.push_back({{"architecture", a}, {"subArchitectures", nlohmann::json::array()}});
    j["archMap"] = archs;
    nlohmann::json sc = nlohmann::json::array();
    for (const auto& r : p.syscalls) sc.push_back({{"names", r.names}, {"action", r.action}, {"args", nlohmann::json::array()}});
    j["syscalls"] = sc;
    return j;
}

std::set<std::string> allowed_names(const nlohmann::json& j, const std::string& origin) {
    if (!j.is_object() || !j.contains("syscalls") || !j["syscalls"].is_array())
        throw Error(origin + ": not a seccomp profile (an object with a syscalls list)");
    std::set<std::string> out;
    for (size_t i = 0; i < j["syscalls"].size(); ++i) {
        const auto& r = j["syscalls"][i];
        std::string field = origin + ": syscalls[" + std::to_string(i) + "]";
        if (!r.is_object() || !r.value("action", nlohmann::json()).is_string()) throw Error(field + ": no action");
        if (r["action"] != "SCMP_ACT_ALLOW") continue;
        if (r.contains("args") && r["args"].is_array() && !r["args"].empty()) continue;  // conditional: not merged
        if (r.contains("includes") && r["includes"].is_object() && !r["includes"].empty()) continue;
        if (r.contains("names") && r["names"].is_array()) {
            for (const auto& n : r["names"]) {
                if (!n.is_string()) throw Error(field + ".names: expected strings");
                out.insert(n.get<std::string>());
            }
        } else if (r.contains("name") && r["name"].is_string()) {
            out.insert(r["name"].get<std::string>());  // Docker's older one-name form
        }
    }
    return out;
}

}  // namespace docklock::seccomp
