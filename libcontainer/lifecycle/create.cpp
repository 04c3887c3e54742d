// create: config.json -> policy -> state dir -> cgroup -> init blocked on start.sock.
// Any failure removes everything made so far: state dir, cgroup, process.
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <ctime>
#include <optional>
#include <tuple>

#include "../cgroups/cgroups.hpp"
#include "../cgroups/resources.hpp"
#include "../hooks/hooks.hpp"
#include "../objects/resolve.hpp"
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

// config.json, opened beneath the bundle: a symlink (or magic link) out of it is refused.
std::string read_config(const std::string& bundle) {
    UniqueFd dir(::open(bundle.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir) throw Error("bundle " + bundle, errno);
    open_how how{};
    how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    UniqueFd fd(static_cast<int>(syscall(SYS_openat2, dir.get(), "config.json", &how, sizeof how)));
    if (!fd) {
        int e = errno;
        if (e == EXDEV || e == ELOOP) throw Error("bundle " + bundle + ": config.json: a link that leaves the bundle");
        throw Error("bundle " + bundle + ": config.json", e);
    }
    struct stat st;
    if (::fstat(fd.get(), &st) < 0) throw Error("bundle " + bundle + ": config.json", errno);
    if (!S_ISREG(st.st_mode)) throw Error("bundle " + bundle + ": config.json: not a regular file");
    std::string text;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error("bundle " + bundle + ": config.json", errno);
        if (n == 0) break;
        text.append(buf, static_cast<size_t>(n));
        if (text.size() > (64u << 20)) throw Error("bundle " + bundle + ": config.json: larger than 64 MiB");
    }
    return text;
}

// Is `id` the user namespace of a live container in this store (pods share their sandbox's)?
std::function<bool(const objects::Id&)> container_userns(state::Store& store) {
    return [&store](const objects::Id& id) {
        for (const auto& name : store.list()) {
            try {
                state::Container c = store.open(name);
                c.load();
                if (c.st.pid <= 0 || state::process_start_time(c.st.pid) != c.st.pid_start) continue;
                struct stat st;
                std::string ns = "/proc/" + std::to_string(c.st.pid) + "/ns/user";
                if (::stat(ns.c_str(), &st) == 0 && static_cast<uint64_t>(st.st_dev) == id.dev &&
                    static_cast<uint64_t>(st.st_ino) == id.ino)
                    return true;
            } catch (const Error&) {
            }
        }
        return false;
    };
}

// Another container of this --root whose cgroup is ours, inside ours or holds ours: its delete would
// kill our processes or we would write its limits (a stopped container keeps an empty cgroup).
void refuse_shared_cgroup(state::Store& store, const std::string& id, const cgroups::Manager& cg, const std::string& path) {
    auto within = [](const std::string& a, const std::string& b) { return a == b || a.rfind(b + "/", 0) == 0; };
    for (const std::string& other : store.list()) {
        if (other == id) continue;
        nlohmann::json theirs;
        try {
            state::Container oc = store.open(other);
            oc.load();
            theirs = oc.st.cgroup;
        } catch (const Error&) {
            continue;  // gone, or reserved and not saved yet
        }
        const cgroups::Manager them = cgroups::Manager::from_json(theirs);
        for (const auto& od : them.dirs())
            for (const auto& d : cg.dirs())
                if (within(d.path, od.path) || within(od.path, d.path))
                    throw Error("linux.cgroupsPath \"" + path + "\": " + d.path + " is or shares the cgroup of container \"" +
                                other + "\"");
    }
}

}  // namespace

pid_t create(state::Store& store, const CreateOptions& o, UniqueFd* console_out) {
    state::Store::validate_id(o.id);
    std::string bundle = fs::canonical_dir(o.bundle.empty() ? "." : o.bundle);
    std::string text = read_config(bundle);
    spec::Spec requested = spec::parse_spec(text);
    spec::validate(requested);
    if (o.listen_fds > 0) {
        requested.process->env.push_back("LISTEN_FDS=" + std::to_string(o.listen_fds));
        requested.process->env.push_back("LISTEN_PID=1");
    }
    auto t0 = std::chrono::steady_clock::now();
    policy::HostFacts facts = policy::HostFacts::probe();
    facts.bundle = bundle;  // userns remap checks the rootfs, which root.path may give relative to the bundle
    // Every object the decision depends on, opened once: the policy judges these, the setup uses them.
    objects::Opened opened = objects::resolve(requested, {bundle, policy::object_paths(o.policy), container_userns(store)});
    facts.objects = opened.facts;
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

    cgroups::Manager planned = cgroups::Manager::plan(s.linux->cgroupsPath, o.id, o.systemd_cgroup);
    planned.check_target();  // an existing cgroup with processes or children: refused, nothing touched
    guard.cg = std::move(planned);
    cgroups::Manager& cg = *guard.cg;
    // Record the cgroup before it exists, with what docklock is to make: if this process is killed
    // from here on, `delete` finds the half-made container (creating, lock free) and removes that
    // cgroup and its processes too, and nothing it found there.
    c.st.cgroup = cg.to_json();
    c.st.creating = true;
    c.save();
    refuse_shared_cgroup(store, o.id, cg, s.linux->cgroupsPath);  // after our save: of two racing creates one sees the other
    cg.create();
    if (nlohmann::json now = cg.to_json(); now != c.st.cgroup) {  // someone made a level first: it is not ours
        c.st.cgroup = std::move(now);
        c.save();
    }
    // Always, even without linux.resources: the device cgroup is default-deny plus the defaults.
    cg.apply(cgroups::with_default_deny(s.linux->resources ? &*s.linux->resources : nullptr));

    fs::replace_file(c.path("config.json"), spec::to_json(s).dump(), 0600);
    nlohmann::json fj = nlohmann::json::array();
    for (const auto& f : hardened.findings) fj.push_back(f.to_json());
    fs::replace_file(c.path("findings.json"), fj.dump(), 0600);
    std::optional<hooks::Pins> pins;
    if (!o.policy.off) {  // the executables the policy judged; each hook phase runs only those files
        pins = hooks::pin(s.hooks, requested.hooks, opened.facts.hooks);
        fs::replace_file(c.path("hooks.json"), hooks::pins_to_json(*pins).dump(), 0600);
    }

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
    in.objects = &opened;
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
        hooks::run_all(s.hooks.prestart, state_json(c, "created"), "prestart", pins ? &*pins : nullptr);
        std::string st = state_json(c, "creating");
        hooks::run_all(s.hooks.createRuntime, st, "createRuntime", pins ? &*pins : nullptr);
        return st;
    };
    if (s.linux->seccomp)
        li.on_seccomp_listener = [&](int fd, pid_t pid) {  // the runtime-spec's agent, with status "creating"
            c.st.pid = pid;
            const spec::Seccomp& sc = *s.linux->seccomp;
            send_to_seccomp_agent(sc, fd, container_process_state(sc, pid, nlohmann::json::parse(state_json(c, "creating"))));
        };
    pid_t pid = process::launch(plan, li);
    c.st.cgroup = cg.to_json();  // the systemd driver made the rest once the unit started
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
