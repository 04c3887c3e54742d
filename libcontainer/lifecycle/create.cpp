// create: config.json -> policy -> state dir -> cgroup -> init blocked on start.sock.
// Any failure removes everything made so far: state dir, cgroup, process.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <optional>
#include <tuple>

#include "../cgroups/cgroups.hpp"
#include "../cgroups/resources.hpp"
#include "../hooks/hooks.hpp"
#include "../process/launcher.hpp"
#include "../process/plan_builder.hpp"
#include "../process/sync.hpp"
#include "../rootfs/plan_builder.hpp"
#include "../util/error.hpp"
#include "../util/fd.hpp"
#include "../util/fs.hpp"
#include "../util/log.hpp"
#include "../util/time.hpp"
#include "../util/unix_socket.hpp"
#include "findings.hpp"
#include "lifecycle.hpp"
#include "seccomp_agent.hpp"

namespace docklock::lifecycle {
namespace {

// Cleans up a half-made container unless committed.
struct CreateGuard {
    state::Store& store;
    std::string dir;
    std::optional<cgroups::Manager> cg;
    bool committed = false;
    ~CreateGuard() {
        if (committed) return;
        try {
            if (cg) cg->destroy();
        } catch (const Error& e) {
            log::warn("cleanup: " + std::string(e.what()));
        }
        try {
            fs::remove_tree(dir);
        } catch (const Error& e) {
            log::warn("cleanup: " + std::string(e.what()));
        }
    }
};

}  // namespace

pid_t create(state::Store& store, const CreateOptions& o, UniqueFd* console_out) {
    state::Store::validate_id(o.id);
    std::string bundle = fs::canonical_dir(o.bundle.empty() ? "." : o.bundle);
    std::string text;
    if (!fs::read_file_if_exists(bundle + "/config.json", text)) throw Error("bundle " + bundle + ": config.json", ENOENT);
    spec::Spec requested = spec::parse_spec(text);
    spec::validate(requested);
    if (o.listen_fds > 0) {
        requested.process->env.push_back("LISTEN_FDS=" + std::to_string(o.listen_fds));
        requested.process->env.push_back("LISTEN_PID=1");
    }
    auto t0 = std::chrono::steady_clock::now();
    policy::HostFacts facts = policy::HostFacts::probe();
    facts.bundle = bundle;  // userns remap checks the rootfs, which root.path may give relative to the bundle
    auto t1 = std::chrono::steady_clock::now();
    policy::Result hardened = policy::apply(requested, o.policy, facts);
    auto t2 = std::chrono::steady_clock::now();
    {
        using ms = std::chrono::duration<double, std::milli>;
        char line[160];
        std::snprintf(line, sizeof line,
                      "policy: decided in %.3f ms (load %.3f ms, host probe %.3f ms, apply %.3f ms, %zu findings)",
                      o.policy_load_ms + ms(t2 - t0).count(), o.policy_load_ms, ms(t1 - t0).count(), ms(t2 - t1).count(),
                      hardened.findings.size());
        log::debug(line);
    }
    record_findings(o.policy, o.id, "create", hardened.findings);  // a refusal throws here, before anything exists
    const spec::Spec& s = hardened.spec;
    std::string rootfs = rootfs::resolve_rootfs(s, bundle);  // fail before anything is made

    state::Container c = store.reserve(o.id);
    CreateGuard guard{store, c.dir(), std::nullopt, false};
    c.st.bundle = bundle;
    c.st.rootfs = rootfs;
    c.st.created = now_rfc3339();
    c.st.owner = "root";
    c.st.annotations = s.annotations;

    guard.cg = cgroups::Manager::plan(s.linux->cgroupsPath, o.id, o.systemd_cgroup);
    cgroups::Manager& cg = *guard.cg;
    // Record the cgroup before it exists: if this process is killed from here on, `delete` finds
    // the half-made container (creating, lock free) and removes its cgroup and processes too.
    c.st.cgroup = cg.to_json();
    c.st.creating = true;
    c.save();
    cg.create();
    // Always, even without linux.resources: the device cgroup is default-deny plus the defaults.
    cg.apply(cgroups::with_default_deny(s.linux->resources ? &*s.linux->resources : nullptr));

    fs::replace_file(c.path("config.json"), spec::to_json(s).dump(), 0600);
    nlohmann::json fj = nlohmann::json::array();
    for (const auto& f : hardened.findings) fj.push_back(f.to_json());
    fs::replace_file(c.path("findings.json"), fj.dump(), 0600);

    UniqueFd start_sock = unix_listen(c.path("start.sock"));
    UniqueFd console, console_keep;
    if (!o.console_socket.empty()) {
        console = unix_connect(o.console_socket, "connect to --console-socket");
    } else if (s.process->terminal) {
        if (!console_out) throw Error("process.terminal: true needs --console-socket to hand the pty to");
        std::tie(console_keep, console) = unix_pair();
    }

    std::vector<std::string> notes;
    process::PlanInputs in{bundle, o.no_pivot, console.get(), o.preserve_fds, &cg, &notes};
    in.record_syscalls = o.record_syscalls;
    process::InitPlan plan = process::build_init_plan(s, in);
    plan.start_listen_fd = start_sock.get();
    plan.new_keyring = !o.no_new_keyring;
    for (const auto& n : notes) log::debug(n);

    process::LaunchInputs li;
    li.cgroup = &cg;
    li.uid_mappings = s.linux->uidMappings;
    li.gid_mappings = s.linux->gidMappings;
    li.on_hooks = [&](pid_t pid) {
        c.st.pid = pid;
        // prestart sees "created" (as crun, and what runtime-tools checks); the 1.1 hooks see "creating".
        hooks::run_all(s.hooks.prestart, state_json(c, "created"), "prestart");
        std::string st = state_json(c, "creating");
        hooks::run_all(s.hooks.createRuntime, st, "createRuntime");
        return st;
    };
    if (s.linux->seccomp)
        li.on_seccomp_listener = [&](int fd, pid_t pid) {  // the runtime-spec's agent, with status "creating"
            c.st.pid = pid;
            const spec::Seccomp& sc = *s.linux->seccomp;
            send_to_seccomp_agent(sc, fd, container_process_state(sc, pid, nlohmann::json::parse(state_json(c, "creating"))));
        };
    pid_t pid = process::launch(plan, li);
    c.st.pid = pid;
    c.st.pid_start = state::process_start_time(pid);
    c.st.creating = false;
    c.save();
    if (console_keep) {
        console.reset();
        int master = sync::recv_fd(console_keep.get());
        if (master < 0) throw Error("receive the container's pty master");
        console_out->reset(master);
    }
    write_pid_file(o.pid_file, pid);
    guard.committed = true;
    return pid;
}

}  // namespace docklock::lifecycle
