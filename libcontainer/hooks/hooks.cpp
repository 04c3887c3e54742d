#include "hooks.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "../util/error.hpp"
#include "../util/log.hpp"

namespace docklock::hooks {

std::vector<process::HookPlan> plan(const std::vector<spec::Hook>& hooks) {
    std::vector<process::HookPlan> out;
    for (const auto& h : hooks) {
        process::HookPlan p;
        p.path = h.path;
        std::vector<std::string> argv = h.args;
        if (argv.empty()) argv.push_back(h.path);
        p.argv = process::CStrings(argv);
        p.envp = process::CStrings(h.env);
        p.timeout_s = h.timeout.value_or(0);
        out.push_back(std::move(p));
    }
    return out;
}

int run_one(const process::HookPlan& h, const char* state, size_t len, CBuf<512>& err) {
    int in[2];
    if (::pipe2(in, O_CLOEXEC) < 0) {
        err.add("pipe for hook ").add(h.path.c_str());
        return -1;
    }
    pid_t pid = ::fork();
    if (pid < 0) {
        ::close(in[0]);
        ::close(in[1]);
        err.add("fork hook ").add(h.path.c_str());
        return -1;
    }
    if (pid == 0) {
        ::dup2(in[0], 0);
        ::execve(h.path.c_str(), h.argv.get(), h.envp.get());
        _exit(127);
    }
    ::close(in[0]);
    // The hook may not read stdin at all: ignore EPIPE rather than die of SIGPIPE.
    struct sigaction ign {
    }, old{};
    ign.sa_handler = SIG_IGN;
    ::sigaction(SIGPIPE, &ign, &old);
    size_t off = 0;
    while (off < len) {
        ssize_t n = ::write(in[1], state + off, len - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        off += static_cast<size_t>(n);
    }
    ::close(in[1]);
    ::sigaction(SIGPIPE, &old, nullptr);
    int pfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    if (h.timeout_s > 0 && pfd >= 0) {
        pollfd p{pfd, POLLIN, 0};
        int r;
        do r = ::poll(&p, 1, h.timeout_s * 1000);
        while (r < 0 && errno == EINTR);
        if (r == 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
            ::close(pfd);
            err.add("hook ").add(h.path.c_str()).add(" timed out after ").add(static_cast<long>(h.timeout_s)).add("s");
            return -1;
        }
    }
    if (pfd >= 0) ::close(pfd);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
    err.add("hook ").add(h.path.c_str());
    if (WIFEXITED(status))
        err.add(" exited with status ").add(static_cast<long>(WEXITSTATUS(status)));
    else
        err.add(" killed by signal ").add(static_cast<long>(WTERMSIG(status)));
    return -1;
}

void run_all(const std::vector<spec::Hook>& hooks, const std::string& state_json, const char* phase) {
    auto plans = plan(hooks);
    for (size_t i = 0; i < plans.size(); ++i) {
        CBuf<512> err;
        if (run_one(plans[i], state_json.data(), state_json.size(), err) < 0)
            throw Error(std::string(phase) + " hook " + std::to_string(i) + ": " + err.c_str());
    }
}

void run_all_warn(const std::vector<spec::Hook>& hooks, const std::string& state_json, const char* phase) {
    auto plans = plan(hooks);
    for (size_t i = 0; i < plans.size(); ++i) {
        CBuf<512> err;
        if (run_one(plans[i], state_json.data(), state_json.size(), err) < 0)
            log::warn(std::string(phase) + " hook " + std::to_string(i) + ": " + err.c_str());
    }
}

}  // namespace docklock::hooks
