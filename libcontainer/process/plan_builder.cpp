#include "plan_builder.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <map>

#include "../../apparmor/apparmor.hpp"
#include "../../caps/caps.hpp"
#include "../../seccomp/compile.hpp"
#include "../../seccomp/record.hpp"
#include "../hooks/hooks.hpp"
#include "../rootfs/plan_builder.hpp"
#include "../util/error.hpp"
#include "../util/fs.hpp"
#include "selinux.hpp"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

namespace docklock::process {

int namespace_flag(const std::string& t) {
    static const std::map<std::string, int> m{{"mount", CLONE_NEWNS},      {"pid", CLONE_NEWPID},  {"network", CLONE_NEWNET},
                                              {"ipc", CLONE_NEWIPC},       {"uts", CLONE_NEWUTS},  {"user", CLONE_NEWUSER},
                                              {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME}};
    auto it = m.find(t);
    if (it == m.end()) throw Error("linux.namespaces: unknown namespace type \"" + t + "\"");
    return it->second;
}

static const char* proc_ns_name(const std::string& t) {
    static const std::map<std::string, const char*> m{{"mount", "mnt"}, {"pid", "pid"},   {"network", "net"},   {"ipc", "ipc"},
                                                      {"uts", "uts"},   {"user", "user"}, {"cgroup", "cgroup"}, {"time", "time"}};
    return m.at(t);
}

static int rlimit_number(const std::string& name, const std::string& field) {
    static const std::map<std::string, int> m{
        {"RLIMIT_AS", RLIMIT_AS},           {"RLIMIT_CORE", RLIMIT_CORE},         {"RLIMIT_CPU", RLIMIT_CPU},
        {"RLIMIT_DATA", RLIMIT_DATA},       {"RLIMIT_FSIZE", RLIMIT_FSIZE},       {"RLIMIT_LOCKS", RLIMIT_LOCKS},
        {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
        {"RLIMIT_NOFILE", RLIMIT_NOFILE},   {"RLIMIT_NPROC", RLIMIT_NPROC},       {"RLIMIT_RSS", RLIMIT_RSS},
        {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},   {"RLIMIT_RTTIME", RLIMIT_RTTIME},     {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
        {"RLIMIT_STACK", RLIMIT_STACK}};
    auto it = m.find(name);
    if (it == m.end()) throw Error(field + ": unknown rlimit \"" + name + "\"");
    return it->second;
}

// The parts shared by init and exec: credentials, capabilities, LSM labels, seccomp, rlimits, argv/env.
static void fill_process(InitPlan& p, const spec::Process& pr, const spec::Linux* l, const PlanInputs& in) {
    p.creds.uid = pr.user.uid;
    p.creds.gid = pr.user.gid;
    p.creds.groups.assign(pr.user.additionalGids.begin(), pr.user.additionalGids.end());
    p.creds.umask = static_cast<int>(pr.user.umask.value_or(022));
    p.creds.last_cap = caps::last_cap();
    p.creds.have_caps = true;  // absent capabilities mean none: never more than asked for
    if (pr.capabilities) {
        const auto& c = *pr.capabilities;
        std::vector<std::string> dropped;
        p.creds.bounding = caps::mask_of(c.bounding, "process.capabilities.bounding", &dropped);
        p.creds.effective = caps::mask_of(c.effective, "process.capabilities.effective", &dropped);
        p.creds.permitted = caps::mask_of(c.permitted, "process.capabilities.permitted", &dropped);
        p.creds.inheritable = caps::mask_of(c.inheritable, "process.capabilities.inheritable", &dropped);
        p.creds.ambient = caps::mask_of(c.ambient, "process.capabilities.ambient", &dropped);
        // The kernel raises an ambient capability only if it is also permitted and inheritable.
        uint64_t raisable = p.creds.ambient & p.creds.permitted & p.creds.inheritable;
        if (raisable != p.creds.ambient && in.notes)
            for (const auto& n : caps::names_of(p.creds.ambient & ~raisable))
                in.notes->push_back("ambient capability " + n + " is not both permitted and inheritable: not raised");
        p.creds.ambient = raisable;
        if (in.notes)
            for (const auto& d : dropped) in.notes->push_back("capability " + d + " is unknown to this kernel: dropped");
    }
    p.creds.no_new_privs = pr.noNewPrivileges;
    p.creds.apparmor_exec = apparmor::exec_request(pr.apparmorProfile, "process.apparmorProfile");
    if (!pr.selinuxLabel.empty()) {
        if (!selinux::enabled())
            throw Error("process.selinuxLabel: SELinux label \"" + pr.selinuxLabel +
                        "\" requested but SELinux is not enabled on this host");
        selinux::validate_label(pr.selinuxLabel, "process.selinuxLabel");
        p.creds.selinux_label = pr.selinuxLabel;
    }
    for (size_t i = 0; i < pr.rlimits.size(); ++i) {
        const auto& r = pr.rlimits[i];
        rlimit lim{r.soft, r.hard};
        p.rlimits.emplace_back(rlimit_number(r.type, "process.rlimits[" + std::to_string(i) + "].type"), lim);
    }
    if (pr.oomScoreAdj) {
        p.set_oom = true;
        p.oom_score_adj = *pr.oomScoreAdj;
    }
    if (l && l->seccomp) {
        std::vector<std::string> skipped;
        p.seccomp = seccomp::compile(*l->seccomp, &skipped);
        if (p.seccomp.notify && l->seccomp->listenerPath.empty())  // as runc: no agent, no container
            throw Error("linux.seccomp.listenerPath: SCMP_ACT_NOTIFY is used but listenerPath is not set");
        if (p.seccomp.notify && in.record_syscalls)
            throw Error("linux.seccomp: profile record cannot run a profile with SCMP_ACT_NOTIFY rules");
        if (in.notes && !skipped.empty()) {
            std::string s;
            for (const auto& n : skipped) s += (s.empty() ? "" : " ") + n;
            in.notes->push_back("seccomp: syscalls unknown to libseccomp skipped: " + s);
        }
    }
    if (in.record_syscalls) {
        if (p.seccomp.present) p.seccomp_stack.push_back(std::move(p.seccomp));
        p.seccomp = seccomp::recorder_plan();
        p.creds.no_new_privs = true;
    }
    if (l && l->landlock) {
        const std::string field = "linux.org.docklock.landlock";
        long abi = ::syscall(SYS_landlock_create_ruleset, nullptr, 0, 1U /* LANDLOCK_CREATE_RULESET_VERSION */);
        if (abi < 1) throw Error(field + ": the kernel has no Landlock", abi < 0 ? errno : 0);
        const auto& ll = *l->landlock;
        if ((ll.scopeSignals || ll.scopeAbstractUnix) && abi < 6)
            throw Error(field + ": scoping needs Landlock ABI 6, the kernel has " + std::to_string(abi));
        auto norm = [&](const std::vector<std::string>& in, const std::string& key) {
            std::vector<std::string> out;
            for (size_t i = 0; i < in.size(); ++i) {
                std::string d = in[i];
                if (d.empty() || d[0] != '/') throw Error(field + "." + key + "[" + std::to_string(i) + "]: must be absolute");
                while (d.size() > 1 && d.back() == '/') d.pop_back();
                out.push_back(d);
            }
            return out;
        };
        p.landlock.present = true;
        p.landlock.no_exec = norm(ll.noExec, "noExec");
        p.landlock.no_write = norm(ll.noWrite, "noWrite");
        p.landlock.scope_signals = ll.scopeSignals;
        p.landlock.scope_abstract_unix = ll.scopeAbstractUnix;
    }
    if (l)
        for (const auto& f : l->seccompStack) {
            p.seccomp_stack.push_back(seccomp::compile(f));
            if (p.seccomp_stack.back().notify)
                throw Error("linux.org.docklock.seccompStack: SCMP_ACT_NOTIFY is not allowed in a stacked filter");
        }
    if (pr.args.empty()) throw Error("process.args: must not be empty");
    p.argv = CStrings(pr.args);
    p.envp = CStrings(pr.env);
    p.cwd = pr.cwd.empty() ? "/" : pr.cwd;
    const std::string& a0 = pr.args[0];
    if (a0.find('/') != std::string::npos) {
        p.exec_candidates.push_back(a0);
    } else {
        std::string path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        for (const auto& e : pr.env)
            if (e.rfind("PATH=", 0) == 0) path = e.substr(5);
        size_t i = 0;
        while (i <= path.size()) {
            size_t j = path.find(':', i);
            if (j == std::string::npos) j = path.size();
            std::string dir = path.substr(i, j - i);
            p.exec_candidates.push_back((dir.empty() ? std::string(".") : dir) + "/" + a0);
            i = j + 1;
        }
    }
    p.terminal = pr.terminal;
    if (pr.consoleSize) {
        p.rows = static_cast<unsigned short>(pr.consoleSize->height);
        p.cols = static_cast<unsigned short>(pr.consoleSize->width);
    }
    p.console_sock = in.console_sock;
    p.preserve_fds = in.preserve_fds;
}

static int open_ns(const std::string& path, const std::string& field) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error(field + ": " + path, errno);
    return fd;
}

InitPlan build_init_plan(const spec::Spec& s, const PlanInputs& in) {
    InitPlan p;
    const spec::Linux& l = *s.linux;
    if (!l.find_namespace("mount")) throw Error("linux.namespaces: a mount namespace is required");
    std::vector<std::pair<int, int>> join_user, join_rest;
    try {
        for (size_t i = 0; i < l.namespaces.size(); ++i) {
            const auto& n = l.namespaces[i];
            int flag = namespace_flag(n.type);
            if (n.path.empty()) {
                p.clone_flags |= flag;
            } else {
                // The fd the resolver opened and the policy judged (type and identity read from it).
                std::string field = "linux.namespaces[" + std::to_string(i) + "].path";
                size_t k = static_cast<size_t>(n.origin);
                if (!in.objects || n.origin < 0 || k >= in.objects->namespaces.size() || !in.objects->namespaces[k])
                    throw Error(field + ": " + n.path + ": not opened by the resolver");
                int fd = ::fcntl(in.objects->namespaces[k].get(), F_DUPFD_CLOEXEC, 3);
                if (fd < 0) throw Error(field + ": " + n.path, errno);
                (flag == CLONE_NEWUSER ? join_user : join_rest).emplace_back(fd, flag);
                if (flag == CLONE_NEWUSER || flag == CLONE_NEWPID) p.needs_stage1 = true;
            }
        }
    } catch (...) {
        for (auto& [fd, t] : join_user) ::close(fd);
        for (auto& [fd, t] : join_rest) ::close(fd);
        throw;
    }
    p.join = join_user;
    p.join.insert(p.join.end(), join_rest.begin(), join_rest.end());
    if (p.clone_flags & CLONE_NEWTIME) p.needs_stage1 = true;
    // As runc: namespaces given by path are joined before the new user namespace exists (from inside
    // it, setns into a namespace the initial user namespace owns is EPERM), so a middle process joins.
    if ((p.clone_flags & CLONE_NEWUSER) && !p.join.empty()) p.needs_stage1 = true;
    for (const auto& [clock, off] : l.timeOffsets) {
        if (clock != "monotonic" && clock != "boottime") throw Error("linux.timeOffsets." + clock + ": only monotonic and boottime");
        if (!(p.clone_flags & CLONE_NEWTIME)) throw Error("linux.timeOffsets: needs a new time namespace");
        p.time_offsets += clock + " " + std::to_string(off.secs) + " " + std::to_string(off.nanosecs) + "\n";
    }
    p.new_userns = (p.clone_flags & CLONE_NEWUSER) != 0;
    p.new_cgroupns = (p.clone_flags & CLONE_NEWCGROUP) != 0;

    rootfs::RootfsInputs ri{in.bundle, p.new_userns, (p.clone_flags & CLONE_NEWCGROUP) != 0, in.no_pivot, in.cgroup,
                            in.objects};
    p.rootfs = rootfs::build_plan(s, ri);
    p.clone_flags &= ~CLONE_NEWCGROUP;  // see new_cgroupns
    if (const auto* m = l.find_namespace("mount"); m && !m->path.empty()) p.rootfs.setup = true;

    if (!s.hostname.empty()) {
        if (!l.find_namespace("uts")) throw Error("hostname: setting it needs a uts namespace (new or joined)");
        p.hostname = s.hostname;
        p.set_hostname = true;
    }
    if (!s.domainname.empty()) {
        if (!l.find_namespace("uts")) throw Error("domainname: setting it needs a uts namespace (new or joined)");
        p.domainname = s.domainname;
        p.set_domainname = true;
    }
    for (const auto& [k, v] : l.sysctl) {
        if (k.find("..") != std::string::npos || k.find('/') != std::string::npos)
            throw Error("linux.sysctl: invalid key \"" + k + "\"");
        std::string path = "/proc/sys/" + k;
        for (size_t i = 10; i < path.size(); ++i)
            if (path[i] == '.') path[i] = '/';
        p.sysctls.emplace_back(path, v);
    }
    if (l.personality) {
        if (l.personality->domain == "LINUX")
            p.personality = PER_LINUX;
        else if (l.personality->domain == "LINUX32")
            p.personality = PER_LINUX32;
        else
            throw Error("linux.personality.domain: unknown \"" + l.personality->domain + "\"");
    }
    if (!l.mountLabel.empty()) {  // fail closed rather than mount without the label asked for
        if (!selinux::enabled())
            throw Error("linux.mountLabel: SELinux label \"" + l.mountLabel + "\" requested but SELinux is not enabled on this host");
        selinux::validate_label(l.mountLabel, "linux.mountLabel");
        for (auto& m : p.rootfs.mounts)
            if (m.kind == MountPlan::Kind::Regular && selinux::takes_mount_label(m.fstype, false))
                m.data = selinux::format_mount_label(m.data, l.mountLabel);
    }
    fill_process(p, *s.process, &l, in);
    p.create_container_hooks = hooks::plan(s.hooks.createContainer);
    p.start_container_hooks = hooks::plan(s.hooks.startContainer);
    return p;
}

InitPlan build_exec_plan(const spec::Spec& container, const spec::Process& proc, pid_t init_pid, const PlanInputs& in) {
    InitPlan p;
    p.exec_mode = true;
    p.needs_stage1 = true;  // the pid namespace is joined for children only
    const spec::Linux* l = container.linux ? &*container.linux : nullptr;
    std::vector<std::pair<int, int>> user, rest;
    if (l)
        for (const auto& n : l->namespaces) {
            int flag = namespace_flag(n.type);
            std::string path = "/proc/" + std::to_string(init_pid) + "/ns/" + proc_ns_name(n.type);
            if (flag == CLONE_NEWTIME) path += "_for_children";
            int fd = open_ns(path, "exec: namespace " + n.type + " of the container");
            (flag == CLONE_NEWUSER ? user : rest).emplace_back(fd, flag);
        }
    p.join = user;
    p.join.insert(p.join.end(), rest.begin(), rest.end());
    fill_process(p, proc, l, in);
    return p;
}

void close_plan_fds(InitPlan& p) {
    for (auto& [fd, t] : p.join) ::close(fd);
    p.join.clear();
}

}  // namespace docklock::process
