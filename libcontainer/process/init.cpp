// The container's first process (create) or an exec'd process, from clone to execve.
// Runs after clone: syscalls and the precomputed InitPlan only; failures go to the parent via child_die.
#include "init.hpp"
#include "landlock.hpp"

#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "../../caps/caps.hpp"
#include "../hooks/hooks.hpp"
#include "../rootfs/rootfs.hpp"
#include "../util/cbuf.hpp"
#include "child.hpp"
#include "console.hpp"
#include "procfs.hpp"
#include "sync.hpp"

namespace docklock::process {

namespace {

void wait_for(int sync_fd, sync::Msg want, char* payload, size_t cap, int* fd_out = nullptr) {
    sync::Header h{};
    if (!sync::recv(sync_fd, h, payload, cap, fd_out)) _exit(1);  // parent went away: nothing to report to
    if (h.type != want) child_die("unexpected message from runtime", "", EPROTO);
}

int write_proc(const char* path, const char* value) {
    return write_proc_verified(path, value);
}

void join_namespaces(const InitPlan& p) {
    for (const auto& [fd, type] : p.join)
        if (::setns(fd, type) < 0)
            child_die("join namespace", type == CLONE_NEWNET ? "net" : type == CLONE_NEWNS ? "mnt" : "", errno);
}

void setup_process_env(const InitPlan& p) {
    if (p.set_hostname && ::sethostname(p.hostname.c_str(), p.hostname.size()) < 0)
        child_die("sethostname", p.hostname.c_str(), errno);
    if (p.set_domainname && ::setdomainname(p.domainname.c_str(), p.domainname.size()) < 0)
        child_die("setdomainname", p.domainname.c_str(), errno);
    for (const auto& [path, value] : p.sysctls)
        if (write_proc(path.c_str(), value.c_str()) < 0) child_die("write sysctl", path.c_str(), errno);
    for (const auto& [res, lim] : p.rlimits)
        if (::prlimit(0, static_cast<__rlimit_resource>(res), &lim, nullptr) < 0) child_die("setrlimit", "", errno);
    if (p.set_oom && !p.oom_by_runtime) {
        CBuf<32> v;
        v.add(static_cast<long>(p.oom_score_adj));
        if (write_proc("/proc/self/oom_score_adj", v.c_str()) < 0) child_die("write oom_score_adj", v.c_str(), errno);
    }
    if (p.personality >= 0 && ::personality(static_cast<unsigned long>(p.personality)) < 0) child_die("personality", "", errno);
}

void apply_lsm_labels(const CredsPlan& c) {
    if (!c.apparmor_exec.empty()) {
        // aa_change_onexec: takes effect at execve. Newer kernels have the apparmor-specific attr dir.
        if (write_proc("/proc/thread-self/attr/apparmor/exec", c.apparmor_exec.c_str()) < 0 &&
            write_proc("/proc/thread-self/attr/exec", c.apparmor_exec.c_str()) < 0)
            child_die("apply AppArmor profile:", c.apparmor_exec.c_str() + 5, errno);
    }
    if (!c.selinux_label.empty() && write_proc("/proc/thread-self/attr/exec", c.selinux_label.c_str()) < 0)
        child_die("apply SELinux label", c.selinux_label.c_str(), errno);
}

void load_seccomp(const SeccompPlan& s, int sync_fd) {
    sock_fprog prog{static_cast<unsigned short>(s.prog.size()), const_cast<sock_filter*>(s.prog.data())};
    unsigned flags = s.flags | (s.notify || s.record ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0);
    long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
    if (rc < 0) child_die("load seccomp filter", "", errno);
    if (s.notify) {
        // The runtime forwards the listener to the agent at linux.seccomp.listenerPath.
        if (!sync::send_msg_fd(sync_fd, sync::Msg::SeccompListener, static_cast<int>(rc)))
            child_die("send seccomp listener", "", errno);
        ::close(static_cast<int>(rc));
    }
    // s.record: the listener stays here, close-on-exec; the runtime takes a copy with pidfd_getfd
    // (sending it would be a syscall the filter holds until someone has the listener).
}

// The stacked filters first: the main profile may deny seccomp(2) itself.
void load_all_seccomp(const InitPlan& p, int sync_fd) {
    for (const auto& f : p.seccomp_stack) load_seccomp(f, sync_fd);
    if (p.seccomp.present) load_seccomp(p.seccomp, sync_fd);
}

void change_user(const InitPlan& p) {
    const CredsPlan& c = p.creds;
    int last = c.last_cap;
    if (c.have_caps) {
        if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) child_die("prctl keepcaps", "", errno);
        if (caps::drop_bounding(c.bounding, last) < 0) child_die("drop bounding capabilities", "", errno);
    }
    if (c.set_groups && ::setgroups(c.groups.size(), c.groups.data()) < 0) child_die("setgroups", "", errno);
    if (::setresgid(c.gid, c.gid, c.gid) < 0) child_die("setgid", "", errno);
    if (::setresuid(c.uid, c.uid, c.uid) < 0) child_die("setuid", "", errno);
    if (c.have_caps) {
        if (::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) child_die("prctl keepcaps", "", errno);
        if (caps::set_caps(c.effective, c.permitted, c.inheritable) < 0) child_die("apply capabilities", "", errno);
        if (caps::raise_ambient(c.ambient, last) < 0) child_die("raise ambient capabilities", "", errno);
    }
}

void loopback_up() {
    int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);  // any socket reaches the netns' device ioctls
    if (fd < 0) child_die("socket to bring up lo", "", errno);
    ifreq ifr{};
    std::memcpy(ifr.ifr_name, "lo", 3);
    if (::ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) child_die("get flags of", "lo", errno);
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
    if (::ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) child_die("bring up", "lo", errno);
    ::close(fd);
}

// Resolve args[0] inside the container, before blocking, so create reports a missing binary. As
// runc (Go's exec.LookPath): a PATH search skips what is not an executable file, but a path with a
// slash that exists and is not one fails with EACCES ("permission denied": docker run's exit 126).
const char* find_executable(const InitPlan& p) {
    int err = ENOENT;
    for (const auto& c : p.exec_candidates) {
        struct stat st;
        if (::stat(c.c_str(), &st) != 0) {
            err = errno;
            continue;
        }
        if (S_ISREG(st.st_mode) && ::access(c.c_str(), X_OK) == 0) return c.c_str();
        err = EACCES;
    }
    const char* a0 = p.argv.strings().empty() ? "" : p.argv.strings()[0].c_str();
    if (std::strchr(a0, '/') != nullptr) {
        // runc's words, Go's lowercase errno text: the docker CLI maps "permission denied" to exit
        // status 126 and "no such file or directory" to 127, case-sensitively (else 125).
        CBuf<512> m;
        m.add("exec: \"").add(a0).add("\": ");
        if (err == EACCES) child_die(m.add("permission denied").c_str(), "", 0);
        if (err == ENOENT) child_die(m.add("stat ").add(a0).add(": no such file or directory").c_str(), "", 0);
        child_die("exec:", a0, err);
    }
    child_die("executable file not found in $PATH:", a0, ENOENT);
}

void run_hooks_in_container(const std::vector<HookPlan>& hooks, const char* state, size_t len, const char* phase) {
    for (const auto& h : hooks) {
        CBuf<512> err;
        if (hooks::run_one(h, state, len, err) < 0) child_die(phase, err.c_str(), 0);
    }
}

}  // namespace

void container_main(const InitPlan& p, int sync_fd) {
    child_set_sync_fd(sync_fd);
    if (!p.needs_stage1)
        ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);  // a runtime killed mid-create takes its half-made child along
    static char state[sync::kMaxPayload + 1];
    int root_dir_fd = -1;  // with an idmapped rootfs, Go carries its directory (launcher.cpp)
    wait_for(sync_fd, sync::Msg::Go, nullptr, 0, &root_dir_fd);
    if (p.new_userns) {
        if (::setresgid(0, 0, 0) < 0) child_die("setgid 0 in user namespace", "", errno);
        if (::setresuid(0, 0, 0) < 0) child_die("setuid 0 in user namespace", "", errno);
    }
    if (!p.needs_stage1) join_namespaces(p);
    // The parent has put us in our cgroup by now: a cgroup namespace made here is rooted there.
    if (p.new_cgroupns && ::unshare(CLONE_NEWCGROUP) < 0) child_die("unshare cgroup namespace", "", errno);
    // As runc: a network namespace made for the container gets its loopback up (127.0.0.1 works
    // under `docker run --network none`, and before an engine's hook adds other interfaces).
    if (!p.exec_mode && (p.clone_flags & CLONE_NEWNET)) loopback_up();

    if (p.exec_mode) {
        if (::chdir(p.cwd.empty() ? "/" : p.cwd.c_str()) < 0) child_die("chdir", p.cwd.c_str(), errno);
    } else {
        int root_fd = -1;
        if (p.rootfs.setup) {
            root_fd = rootfs::prepare_root(p.rootfs, root_dir_fd);
            if (root_dir_fd >= 0) ::close(root_dir_fd);
            rootfs::mount_all(p.rootfs, root_fd);
            rootfs::create_devices(p.rootfs, root_fd);
        }
        // Parent runs prestart and createRuntime hooks now, then sends the state for createContainer.
        sync::send(sync_fd, sync::Msg::HooksNeeded);
        wait_for(sync_fd, sync::Msg::HooksDone, state, sizeof state);
        run_hooks_in_container(p.create_container_hooks, state, std::strlen(state), "createContainer");
        if (p.rootfs.setup) {
            rootfs::pivot(p.rootfs, root_fd);
            ::close(root_fd);
        }
        setup_process_env(p);  // sysctls go in before /proc/sys turns read-only
        if (p.rootfs.setup) rootfs::finalize(p.rootfs);
        if (::chdir(p.cwd.empty() ? "/" : p.cwd.c_str()) < 0) child_die("chdir to cwd", p.cwd.c_str(), errno);
    }
    // CVE-2024-21626: a cwd that resolved through a leaked fd to a directory outside the root shows
    // as "(unreachable)..." to getcwd: never start a process there.
    {
        char cwd[4096];
        if (syscall(SYS_getcwd, cwd, sizeof cwd) < 0) child_die("getcwd after chdir to", p.cwd.c_str(), errno);
        if (cwd[0] != '/') child_die("cwd is outside the container's root:", p.cwd.c_str(), 0);
    }
    if (p.exec_mode) setup_process_env(p);

    if (p.new_keyring && syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, nullptr) < 0 && errno != ENOSYS &&
        errno != EACCES)
        child_die("join a new session keyring", "", errno);
    if (p.terminal) setup_console(p);
    apply_lsm_labels(p.creds);
    if (p.landlock.present) {  // still root with every capability: no_new_privs is not needed for it
        const char* what = "landlock";
        if (int rc = apply_landlock(p.landlock, &what); rc < 0) child_die(what, "", -rc);
    }
    const char* exe = find_executable(p);
    if (!p.creds.no_new_privs) load_all_seccomp(p, sync_fd);  // needs CAP_SYS_ADMIN
    change_user(p);
    if (p.creds.no_new_privs && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) child_die("set no_new_privs", "", errno);
    if (p.creds.umask >= 0) ::umask(static_cast<mode_t>(p.creds.umask));

    // Nothing of the runtime may survive execve: mark every fd past stdio and preserved fds close-on-exec.
    unsigned first = 3 + static_cast<unsigned>(p.preserve_fds);
    if (syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
        for (int fd = static_cast<int>(first); fd < 1024; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    }

    // A notify listener must reach the runtime while it still waits for Ready (create hands it to the
    // agent, as runc does before its exec fifo): with no_new_privs the filters go in here, not after start.
    const bool seccomp_before_ready = p.creds.no_new_privs && p.seccomp.notify;
    if (seccomp_before_ready) load_all_seccomp(p, sync_fd);

    // Set up: from here the container outlives the runtime that created it.
    ::prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
    int conn = -1;
    if (p.start_listen_fd >= 0) {
        sync::send(sync_fd, sync::Msg::Ready);
        do conn = ::accept4(p.start_listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
        while (conn < 0 && errno == EINTR);
        if (conn < 0) _exit(1);
        ssize_t n;
        do n = ::recv(conn, state, sizeof state - 1, 0);
        while (n < 0 && errno == EINTR);
        if (n <= 0) _exit(1);
        state[n] = '\0';
        child_set_sync_fd(conn);  // from here on, errors go to `start`
        run_hooks_in_container(p.start_container_hooks, state, static_cast<size_t>(n), "startContainer");
    } else {
        sync::send(sync_fd, sync::Msg::Ready);
    }
    if (p.creds.no_new_privs && !seccomp_before_ready) load_all_seccomp(p, sync_fd);
    ::execve(exe, p.argv.get(), p.envp.get());
    child_die("exec", exe, errno);
}

}  // namespace docklock::process
