#include "launcher.hpp"

#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "../util/error.hpp"
#include "../util/fd.hpp"
#include "../util/fs.hpp"
#include "child.hpp"
#include "init.hpp"
#include "sync.hpp"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

namespace docklock::process {
namespace {

pid_t clone_flags(int flags) {
    clone_args a{};
    a.flags = static_cast<uint64_t>(flags);
    a.exit_signal = SIGCHLD;
    long r = syscall(SYS_clone3, &a, sizeof a);
    if (r < 0 && errno == ENOSYS) r = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
    return static_cast<pid_t>(r);
}

[[noreturn]] void stage1_main(const InitPlan& p, int sync_fd) {
    child_set_sync_fd(sync_fd);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    for (const auto& [fd, type] : p.join)
        if (::setns(fd, type) < 0) child_die("join namespace", "", errno);
    int flags = p.clone_flags;
    if (flags & CLONE_NEWTIME) {
        if (::unshare(CLONE_NEWTIME) < 0) child_die("unshare time namespace", "", errno);
        flags &= ~CLONE_NEWTIME;
        // Offsets can be set only before any process lives in the new namespace: here, before clone.
        if (!p.time_offsets.empty()) {
            int fd = ::open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
            if (fd < 0 || ::write(fd, p.time_offsets.data(), p.time_offsets.size()) < 0)
                child_die("write time namespace offsets", "", errno);
            ::close(fd);
        }
    }
    pid_t pid = clone_flags(flags);
    if (pid < 0) child_die("clone", "", errno);
    if (pid == 0) container_main(p, sync_fd);
    sync::send(sync_fd, sync::Msg::ChildPid, pid);
    _exit(0);
}

std::string map_text(const std::vector<spec::IdMapping>& ms) {
    std::string s;
    for (const auto& m : ms)
        s += std::to_string(m.containerID) + " " + std::to_string(m.hostID) + " " + std::to_string(m.size) + "\n";
    return s;
}

// Kills and reaps the child unless released: a failed create leaves no process behind.
struct ChildGuard {
    pid_t pid = -1;
    bool armed = true;
    ~ChildGuard() {
        if (armed && pid > 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
    }
};

}  // namespace

void become_subreaper() {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

pid_t launch(InitPlan& plan, const LaunchInputs& in) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) sys_fail("socketpair");
    UniqueFd parent_end(sv[0]), child_end(sv[1]);
    become_subreaper();

    plan.keep_fds = {sv[1]};
    for (int fd : {plan.start_listen_fd, plan.console_sock})
        if (fd >= 0) plan.keep_fds.push_back(fd);
    for (const auto& [fd, t] : plan.join) plan.keep_fds.push_back(fd);
    for (int fd : plan.rootfs.tree_fds) plan.keep_fds.push_back(fd);  // idmapped mounts to move into place
    std::sort(plan.keep_fds.begin(), plan.keep_fds.end());
    // As runc: in a user namespace /proc/<pid>/oom_score_adj of the non-dumpable child is host root's,
    // which the container's root is not; the runtime writes it.
    for (const auto& [fd, t] : plan.join) plan.oom_by_runtime |= t == CLONE_NEWUSER;
    plan.oom_by_runtime = plan.set_oom && (plan.oom_by_runtime || plan.new_userns);

    ChildGuard guard;
    ChildGuard stage1;
    pid_t first = plan.needs_stage1 ? static_cast<pid_t>(::fork()) : clone_flags(plan.clone_flags);
    if (first < 0) sys_fail(plan.needs_stage1 ? "fork" : "clone");
    if (first == 0) {
        parent_end.release();
        child_close_fds(3 + plan.preserve_fds, plan.keep_fds);
        // Until execve this process is the docklock binary: non-dumpable keeps /proc/<pid>/exe, mem and fd
        // out of reach of container processes (CVE-2019-5736); execve restores the normal setting.
        ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        if (plan.needs_stage1) stage1_main(plan, sv[1]);
        container_main(plan, sv[1]);
    }
    child_end.reset();
    for (auto& [fd, t] : plan.join) ::close(fd);
    plan.join.clear();

    static char payload[sync::kMaxPayload + 1];
    sync::Header h{};
    auto child_error = [&](const char* where) -> Error {
        if (h.type == sync::Msg::Error) return Error(std::string("container init: ") + payload, h.value);
        // No message: the child died. Say how (an OOM kill from a tiny memory limit shows up here).
        int status = 0;
        pid_t w = guard.pid > 0 ? ::waitpid(guard.pid, &status, 0) : 0;
        std::string how;
        if (w > 0) {
            guard.pid = -1;
            if (WIFSIGNALED(status))
                how = " (killed by signal " + std::to_string(WTERMSIG(status)) + ")";
            else if (WIFEXITED(status))
                how = " (exit status " + std::to_string(WEXITSTATUS(status)) + ")";
        }
        return Error(std::string("container init exited unexpectedly ") + where + how);
    };

    if (plan.needs_stage1) {
        stage1.pid = first;
        if (!sync::recv(parent_end.get(), h, payload, sizeof payload) || h.type != sync::Msg::ChildPid)
            throw child_error("while joining namespaces");
        guard.pid = h.value;
        ::waitpid(first, nullptr, 0);
        stage1.pid = -1;
    } else {
        guard.pid = first;
    }
    pid_t pid = guard.pid;

    if (in.cgroup) in.cgroup->add(pid);
    if (plan.oom_by_runtime)
        fs::write_file("/proc/" + std::to_string(pid) + "/oom_score_adj", std::to_string(plan.oom_score_adj));
    if (plan.new_userns) {
        fs::write_file("/proc/" + std::to_string(pid) + "/uid_map", map_text(in.uid_mappings));
        fs::write_file("/proc/" + std::to_string(pid) + "/gid_map", map_text(in.gid_mappings));
    }
    if (plan.rootfs.root_tree_fd >= 0) {
        // The idmapped rootfs is attached by fd: the container's remapped root may not traverse the
        // rootfs path. Opened here, as host root, through the child's root so that the directory is
        // in the child's mount namespace (move_mount refuses a target in another one).
        std::string dir = "/proc/" + std::to_string(pid) + "/root" + plan.rootfs.rootfs;
        UniqueFd d(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!d) throw Error("root.path: open " + dir, errno);
        if (!sync::send_msg_fd(parent_end.get(), sync::Msg::Go, d.get())) throw child_error("before setup");
    } else if (!sync::send(parent_end.get(), sync::Msg::Go)) {
        throw child_error("before setup");
    }

    for (;;) {
        int fd = -1;
        if (!sync::recv(parent_end.get(), h, payload, sizeof payload, &fd)) throw child_error("during setup");
        UniqueFd passed(fd);
        if (h.type == sync::Msg::Error) throw child_error("");
        if (h.type == sync::Msg::Ready) break;
        if (h.type == sync::Msg::HooksNeeded) {
            std::string state = in.on_hooks ? in.on_hooks(pid) : std::string("{}");
            sync::send(parent_end.get(), sync::Msg::HooksDone, 0, state.data(), state.size());
        }
        // The notify listener of linux.seccomp: handed on (a failure kills the child through guard).
        if (h.type == sync::Msg::SeccompListener) {
            if (!passed) throw Error("linux.seccomp: the container's init sent no seccomp listener");
            if (!in.on_seccomp_listener) throw Error("linux.seccomp: SCMP_ACT_NOTIFY needs a seccomp agent (listenerPath)");
            in.on_seccomp_listener(passed.get(), pid);
        }
    }
    guard.armed = false;
    return pid;
}

}  // namespace docklock::process
