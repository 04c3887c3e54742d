// The container operations behind the CLI: create, start, run, kill, delete, exec.
// Each takes the state store and the command's options; errors are one line naming the cause.
#pragma once
#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include <optional>

#include "../hooks/hooks.hpp"
#include "../policy/policy.hpp"
#include "../spec/spec.hpp"
#include "../state/state.hpp"
#include "../util/fd.hpp"

namespace docklock::lifecycle {

struct CreateOptions {
    std::string id, bundle = ".", pid_file, console_socket;
    bool no_pivot = false, no_new_keyring = false;
    bool systemd_cgroup = false;  // the systemd cgroup driver (--systemd-cgroup)
    int preserve_fds = 0;
    int listen_fds = 0;  // socket activation: also set LISTEN_FDS and LISTEN_PID=1 in the container
    bool record_syscalls = false;  // internal, `profile record`: see process::PlanInputs
    policy::Policy policy;
    double policy_load_ms = 0;  // how long loading `policy` took (the debug log's policy timing)
};

// console_out: for a foreground run, docklock keeps the pty master itself when the spec asks
// for a terminal and no --console-socket was given.
pid_t create(state::Store& store, const CreateOptions& o, UniqueFd* console_out = nullptr);
void start(state::Store& store, const std::string& id);
int run(state::Store& store, const CreateOptions& o, bool detach, bool keep);  // exit code
void kill(state::Store& store, const std::string& id, int sig, bool all);
void remove(state::Store& store, const std::string& id, bool force);

struct ExecOptions {
    std::string id, process_file, pid_file, console_socket, cwd, user, apparmor, process_label;
    std::vector<std::string> args, env, caps;
    std::vector<uint32_t> additional_gids;
    bool tty = false, detach = false, no_new_privs = false;
    int preserve_fds = 0;
    bool record_syscalls = false;             // internal, `profile record -- ID CMD`: see process::PlanInputs
    std::function<void(pid_t)> on_launched;  // called with the process's pid before it is waited for
    policy::Policy policy;
};
int exec(state::Store& store, const ExecOptions& o);  // exit code of the process (0 when detached)

// control.cpp: the container's cgroup.
void pause(state::Store& store, const std::string& id);   // returns once every process is frozen
void resume(state::Store& store, const std::string& id);
void update(state::Store& store, const std::string& id, const spec::Resources& r);
std::vector<pid_t> pids(state::Store& store, const std::string& id);
nlohmann::json stats(state::Store& store, const std::string& id);  // runc's {"type":"stats","id","data"}
uint64_t oom_kills(state::Store& store, const std::string& id);

// Helpers shared by the operations.
std::string state_json(const state::Container& c, const std::string& status);
// The hook executables pinned at create (state file hooks.json), or none (--policy off: run by path).
std::optional<hooks::Pins> load_hook_pins(const state::Container& c);
int wait_exit_code(pid_t pid, bool forward_signals);  // waits, forwarding signals; 128+N when killed
void write_pid_file(const std::string& path, pid_t pid);
int parse_signal(const std::string& s);  // "KILL", "SIGKILL", "9"

}  // namespace docklock::lifecycle
