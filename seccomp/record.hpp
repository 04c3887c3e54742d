// `docklock profile record`: which syscalls a workload makes, seen by a seccomp filter whose every
// syscall is a user notification (SCMP_ACT_NOTIFY), answered by a supervisor here that writes down
// the number and lets the call proceed (SECCOMP_USER_NOTIF_FLAG_CONTINUE).
//
// The container's init loads the filter as its last act before execve (SeccompPlan::record), so
// docklock's own setup is not recorded, and every process and thread the workload starts inherits
// it. The init does not hand the listener over (any syscall after the filter would wait for a
// supervisor that has no listener yet): the runtime finds it in /proc/<pid>/fd and takes a copy
// with pidfd_getfd.
//
// The same works for a process exec'd into a running container (`profile record -- ID CMD...`):
// it loads the filter right before its execve, and the recorder watches that process instead.
// If the listener does not show up within the attach timeout (the workload failed or hangs before
// its execve), or the recorder fails, the recorder kills the watched process so nobody waits on a
// filter no supervisor answers; finish() then throws the reason.
#pragma once
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "../libcontainer/process/plan.hpp"
#include "../libcontainer/spec/spec.hpp"

namespace docklock::seccomp {

// Native architecture only; every syscall notifies.
process::SeccompPlan recorder_plan();

class Recorder {
public:
    // Starts watching `init` (the container's init, or the exec'd process) for its listener.
    explicit Recorder(pid_t init, std::chrono::milliseconds attach_timeout = std::chrono::seconds(5));
    ~Recorder();
    Recorder(const Recorder&) = delete;
    Recorder& operator=(const Recorder&) = delete;
    // After the workload exited: answer what is left, stop, and return the syscall numbers seen.
    std::set<int> finish();
    bool attached() const { return attached_; }

private:
    void run();
    void fail(int pidfd, const std::string& why);  // records why and kills the watched process
    pid_t init_;
    std::chrono::milliseconds timeout_;
    std::atomic<bool> stop_{false}, attached_{false};
    std::mutex mu_;
    std::set<int> seen_;
    std::string error_;
    std::thread thread_;
};

std::string native_arch_name();    // "SCMP_ARCH_X86_64"
std::string syscall_name(int nr);  // native; "" when libseccomp does not know it

// The minimal profile: defaultAction SCMP_ACT_ERRNO with EPERM (1), the native architecture, the
// names allowed (sorted). compile() adds ENOSYS for syscalls newer than every name in it.
// A second rule allows runtime_after_filter(): what the runtime itself calls between loading the
// filter and execve when no_new_privs is off (the recorded workload never shows them).
spec::Seccomp profile_of(const std::set<std::string>& names);
const std::vector<std::string>& runtime_after_filter();
// Docker's `--security-opt seccomp=` format (archMap, syscalls).
nlohmann::json docker_format(const spec::Seccomp& p);
// The names a profile (OCI linux.seccomp or Docker's format) allows without conditions; `origin`
// names the file in errors.
std::set<std::string> allowed_names(const nlohmann::json& profile, const std::string& origin);

}  // namespace docklock::seccomp
