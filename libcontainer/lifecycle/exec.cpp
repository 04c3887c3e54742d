// exec: a new process in a running container: its namespaces, its cgroup, its confinement.
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <tuple>

#include "../cgroups/cgroups.hpp"
#include "../process/launcher.hpp"
#include "../process/plan_builder.hpp"
#include "../process/sync.hpp"
#include "../util/error.hpp"
#include "../util/fd.hpp"
#include "../util/fs.hpp"
#include "../util/log.hpp"
#include "../util/unix_socket.hpp"
#include "findings.hpp"
#include "lifecycle.hpp"
#include "seccomp_agent.hpp"
#include "tty_proxy.hpp"

namespace docklock::lifecycle {

namespace {

// runc's inline form: start from the container's own process and override what the flags say.
spec::Process inline_process(const spec::Spec& s, const ExecOptions& o) {
    spec::Process p = s.process ? *s.process : spec::Process{};
    if (o.args.empty()) throw Error("exec: no command given");
    p.args = o.args;
    p.commandLine.clear();
    p.terminal = o.tty;
    p.consoleSize.reset();
    for (const auto& e : o.env) {
        std::string key = e.substr(0, e.find('='));
        bool replaced = false;
        for (auto& x : p.env)
            if (x.substr(0, x.find('=')) == key) {
                x = e;
                replaced = true;
            }
        if (!replaced) p.env.push_back(e);
    }
    if (!o.cwd.empty()) p.cwd = o.cwd;
    if (!o.user.empty()) {
        size_t colon = o.user.find(':');
        try {
            p.user.uid = static_cast<uint32_t>(std::stoul(o.user.substr(0, colon)));
            p.user.gid = colon == std::string::npos ? 0 : static_cast<uint32_t>(std::stoul(o.user.substr(colon + 1)));
        } catch (const std::exception&) {
            throw Error("--user \"" + o.user + "\": expected uid[:gid] as numbers");
        }
        p.user.additionalGids.clear();
    }
    for (auto g : o.additional_gids) p.user.additionalGids.push_back(g);
    if (!o.caps.empty()) {
        if (!p.capabilities) p.capabilities = spec::Capabilities{};
        for (const auto& c : o.caps)
            for (auto* set : {&p.capabilities->bounding, &p.capabilities->effective, &p.capabilities->permitted})
                if (std::find(set->begin(), set->end(), c) == set->end()) set->push_back(c);
    }
    if (o.no_new_privs) p.noNewPrivileges = true;
    if (!o.apparmor.empty()) p.apparmorProfile = o.apparmor;
    if (!o.process_label.empty()) p.selinuxLabel = o.process_label;
    return p;
}

}  // namespace

int exec(state::Store& store, const ExecOptions& o) {
    state::Container c = store.open(o.id);
    c.load();
    state::Status st = c.status();
    if (st != state::Status::Running && st != state::Status::Created)
        throw Error("cannot exec in container \"" + o.id + "\": it is " + state::to_string(st));
    spec::Spec s = spec::parse_spec(fs::read_file(c.path("config.json")));
    spec::Process requested =
        o.process_file.empty() ? inline_process(s, o) : spec::parse_process(fs::read_file(o.process_file), o.process_file);
    if (requested.args.empty()) throw Error(o.process_file + ": process.args: must not be empty");
    std::vector<policy::Finding> findings;
    spec::Process proc =
        policy::apply_to_process(requested, o.policy, policy::HostFacts::probe(), findings, s.annotations, s.linux ? &*s.linux : nullptr);
    record_findings(o.policy, o.id, "exec", findings);  // a refusal throws here

    UniqueFd console, console_keep;
    if (!o.console_socket.empty()) {
        console = unix_connect(o.console_socket, "connect to --console-socket");
    } else if (proc.terminal) {
        if (o.detach) throw Error("exec: a detached tty needs --console-socket to hand the pty to");
        std::tie(console_keep, console) = unix_pair();  // foreground: docklock keeps the master
    }

    cgroups::Manager cg = cgroups::Manager::from_json(c.st.cgroup);
    process::PlanInputs in{c.st.bundle, false, console.get(), o.preserve_fds, &cg, nullptr};
    in.record_syscalls = o.record_syscalls;
    process::InitPlan plan = process::build_exec_plan(s, proc, c.st.pid, in);
    process::LaunchInputs li;
    li.cgroup = &cg;
    if (s.linux && s.linux->seccomp)
        li.on_seccomp_listener = [&](int fd, pid_t pid) {  // as runc: status "running", state.pid the init's
            const spec::Seccomp& sc = *s.linux->seccomp;
            send_to_seccomp_agent(sc, fd, container_process_state(sc, pid, nlohmann::json::parse(state_json(c, "running"))));
        };
    pid_t pid = process::launch(plan, li);
    write_pid_file(o.pid_file, pid);
    if (o.on_launched) o.on_launched(pid);
    if (o.detach) return 0;
    if (console_keep) {
        console.reset();
        UniqueFd master(sync::recv_fd(console_keep.get()));
        if (!master) throw Error("exec: receive the pty master");
        return proxy_tty_until_exit(master.get(), pid);
    }
    return wait_exit_code(pid, true);
}

}  // namespace docklock::lifecycle
