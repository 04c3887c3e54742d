// kill and delete. Signals go through a pidfd checked against the saved start time (no PID reuse).
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../cgroups/cgroups.hpp"
#include "../hooks/hooks.hpp"
#include "../util/error.hpp"
#include "../util/fd.hpp"
#include "../util/fs.hpp"
#include "../util/log.hpp"
#include "lifecycle.hpp"

namespace docklock::lifecycle {
namespace {

// A pidfd for the container's init, or empty if that process is gone (or the pid was reused).
UniqueFd init_pidfd(const state::Container& c) {
    if (c.st.pid <= 0) return UniqueFd();
    UniqueFd fd(static_cast<int>(syscall(SYS_pidfd_open, c.st.pid, 0)));
    if (!fd) return fd;
    if (state::process_start_time(c.st.pid) != c.st.pid_start) return UniqueFd();
    return fd;
}

void wait_gone(int pidfd, int ms) {
    pollfd p{pidfd, POLLIN, 0};
    while (::poll(&p, 1, ms) < 0 && errno == EINTR) {
    }
}

// Thaw the container's cgroup: every directory when it was paused (its own pause), else only those
// docklock made (a reused one is not this container's to change).
void thaw(const cgroups::Manager& cg, bool paused) {
    for (const auto& d : cg.dirs()) {
        if (!paused && !d.owned) continue;
        try {
            if (d.h.v2 && fs::exists(d.path + "/cgroup.freeze")) fs::write_file(d.path + "/cgroup.freeze", "0");
            if (!d.h.v2 && d.h.options.find("freezer") != std::string::npos) fs::write_file(d.path + "/freezer.state", "THAWED");
        } catch (const Error&) {
        }
    }
}

}  // namespace

void kill(state::Store& store, const std::string& id, int sig, bool all) {
    state::Container c = store.open(id);
    c.load();
    state::Status st = c.status();
    if (st == state::Status::Stopped && !all) throw Error("container \"" + id + "\" is not running");
    if (all) {
        cgroups::Manager cg = cgroups::Manager::from_json(c.st.cgroup);
        for (pid_t p : cg.pids()) ::kill(p, sig);
        return;
    }
    UniqueFd fd = init_pidfd(c);
    if (!fd) throw Error("container \"" + id + "\" is not running");
    if (syscall(SYS_pidfd_send_signal, fd.get(), sig, nullptr, 0) < 0) sys_fail("signal container \"" + id + "\"");
}

void remove(state::Store& store, const std::string& id, bool force) {
    state::Container c = store.open(id);
    c.lock();
    bool have_state = true;
    try {
        c.load();
    } catch (const Error&) {
        have_state = false;  // a create that died before writing state: nothing runs, remove the dir
    }
    if (have_state) {
        state::Status st = c.status();
        // The runtime-spec: deleting a container that is not stopped is an error (runc kills a created one).
        if (st != state::Status::Stopped && !force)
            throw Error("cannot delete container \"" + id + "\": it is " + state::to_string(st) + " (use --force)");
        cgroups::Manager cg = cgroups::Manager::from_json(c.st.cgroup);
        if (st != state::Status::Stopped) {
            if (UniqueFd fd = init_pidfd(c)) {
                if (st == state::Status::Paused) thaw(cg, true);
                syscall(SYS_pidfd_send_signal, fd.get(), SIGKILL, nullptr, 0);
                wait_gone(fd.get(), 5000);
            }
        }
        thaw(cg, false);
        cg.destroy();
        std::string text;
        if (fs::read_file_if_exists(c.path("config.json"), text)) {
            try {
                spec::Spec s = spec::parse_spec(text);
                auto pins = load_hook_pins(c);
                hooks::run_all_warn(s.hooks.poststop, state_json(c, "stopped"), "poststop", pins ? &*pins : nullptr);
            } catch (const Error& e) {
                log::warn(e.what());
            }
        }
    }
    fs::remove_tree(c.dir());
}

}  // namespace docklock::lifecycle
