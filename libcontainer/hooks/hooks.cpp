#include "hooks.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <tuple>

#include "../util/error.hpp"
#include "../util/fd.hpp"
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
        if (h.fd >= 0) {
            // The verified file itself; a non-close-on-exec copy so that a script's interpreter
            // can open it as /dev/fd/N.
            int x = ::fcntl(h.fd, F_DUPFD, 3);
            if (x >= 0) syscall(SYS_execveat, x, "", h.argv.get(), h.envp.get(), AT_EMPTY_PATH);
        } else {
            ::execve(h.path.c_str(), h.argv.get(), h.envp.get());
        }
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

namespace {

// Open hook `i` of `phase` and, with pins, check it is the judged file. Throws naming it.
UniqueFd open_checked(const spec::Hook& h, const char* phase, size_t i, const Pins* pins) {
    std::string name = std::string(phase) + " hook " + std::to_string(i) + ": " + h.path;
    UniqueFd fd(::open(h.path.c_str(), O_PATH | O_CLOEXEC));
    if (!fd) throw Error(name, errno);
    if (!pins) return fd;
    struct stat st;
    if (::fstat(fd.get(), &st) < 0) throw Error(name, errno);
    auto it = pins->find(phase);
    if (it == pins->end() || i >= it->second.size() ||
        !(it->second[i] == objects::Id{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)}))
        throw Error(name + ": not the executable the policy judged at create (it was replaced since)");
    if (st.st_uid != 0 || (st.st_mode & 022) || !S_ISREG(st.st_mode))
        throw Error(name + ": no longer a root-owned file that only root may write");
    return fd;
}

template <typename OnError>
void run_phase(const std::vector<spec::Hook>& hooks, const std::string& state_json, const char* phase, const Pins* pins,
               OnError on_error) {
    auto plans = plan(hooks);
    for (size_t i = 0; i < plans.size(); ++i) {
        try {
            UniqueFd fd = open_checked(hooks[i], phase, i, pins);
            plans[i].fd = fd.get();
            CBuf<512> err;
            if (run_one(plans[i], state_json.data(), state_json.size(), err) < 0)
                throw Error(std::string(phase) + " hook " + std::to_string(i) + ": " + err.c_str());
        } catch (const Error& e) {
            on_error(e);
        }
    }
}

}  // namespace

void run_all(const std::vector<spec::Hook>& hooks, const std::string& state_json, const char* phase, const Pins* pins) {
    run_phase(hooks, state_json, phase, pins, [](const Error& e) { throw e; });
}

void run_all_warn(const std::vector<spec::Hook>& hooks, const std::string& state_json, const char* phase,
                  const Pins* pins) {
    run_phase(hooks, state_json, phase, pins, [](const Error& e) { log::warn(e.what()); });
}

nlohmann::json pins_to_json(const Pins& p) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [phase, ids] : p) {
        auto& a = j[phase] = nlohmann::json::array();
        for (const auto& id : ids) a.push_back({id.dev, id.ino});
    }
    return j;
}

Pins pins_from_json(const nlohmann::json& j) {
    Pins p;
    if (!j.is_object()) throw Error("hooks.json: expected an object");
    for (auto it = j.begin(); it != j.end(); ++it)
        for (const auto& e : it.value()) p[it.key()].push_back({e.at(0).get<uint64_t>(), e.at(1).get<uint64_t>()});
    return p;
}

Pins pin(const spec::Hooks& kept, const spec::Hooks& requested, const std::map<std::string, std::vector<objects::Facts>>& facts) {
    Pins out;
    for (auto [k, r, name] : {std::tuple{&kept.prestart, &requested.prestart, "prestart"},
                              std::tuple{&kept.createRuntime, &requested.createRuntime, "createRuntime"},
                              std::tuple{&kept.poststart, &requested.poststart, "poststart"},
                              std::tuple{&kept.poststop, &requested.poststop, "poststop"}}) {
        auto f = facts.find(name);
        for (const auto& h : *k) {
            objects::Id id{};  // {0,0}: matches no file, the hook is refused when it would run
            for (size_t i = 0; i < r->size() && f != facts.end() && i < f->second.size(); ++i)
                if ((*r)[i].path == h.path && f->second[i].opened()) {
                    id = f->second[i].id;
                    break;
                }
            out[name].push_back(id);
        }
    }
    return out;
}

}  // namespace docklock::hooks
