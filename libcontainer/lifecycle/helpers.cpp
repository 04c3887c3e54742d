#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <map>

#include "../util/error.hpp"
#include "../util/fs.hpp"
#include "lifecycle.hpp"

namespace docklock::lifecycle {

std::optional<hooks::Pins> load_hook_pins(const state::Container& c) {
    std::string text;
    if (!fs::read_file_if_exists(c.path("hooks.json"), text)) return std::nullopt;
    try {
        return hooks::pins_from_json(nlohmann::json::parse(text));
    } catch (const std::exception&) {
        return hooks::Pins{};  // unreadable pins pin nothing: every hook is refused, never run unchecked
    }
}

std::string state_json(const state::Container& c, const std::string& status) {
    nlohmann::json j{{"ociVersion", "1.2.0"}, {"id", c.id()}, {"status", status}, {"pid", c.st.pid}, {"bundle", c.st.bundle}};
    if (!c.st.annotations.empty()) j["annotations"] = c.st.annotations;
    return j.dump();
}

void write_pid_file(const std::string& path, pid_t pid) {
    if (path.empty()) return;
    fs::replace_file(path, std::to_string(pid), 0644);
}

static volatile sig_atomic_t g_forward_pid = 0;
static void forward(int sig) {
    if (g_forward_pid > 0) ::kill(g_forward_pid, sig);
}

int wait_exit_code(pid_t pid, bool forward_signals) {
    if (forward_signals) {
        g_forward_pid = pid;
        struct sigaction sa {};
        sa.sa_handler = forward;
        sa.sa_flags = SA_RESTART;
        for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH}) ::sigaction(s, &sa, nullptr);
    }
    int status = 0;
    for (;;) {
        pid_t w = ::waitpid(-1, &status, 0);  // also reaps re-parented orphans (we are a subreaper)
        if (w < 0) {
            if (errno == EINTR) continue;
            sys_fail("wait for container process");
        }
        if (w == pid) break;
    }
    g_forward_pid = 0;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 255;
}

int parse_signal(const std::string& s) {
    if (!s.empty() && std::isdigit(static_cast<unsigned char>(s[0]))) {
        int n = std::stoi(s);
        if (n <= 0 || n >= 65) throw Error("signal \"" + s + "\": out of range");
        return n;
    }
    std::string n = s;
    for (auto& ch : n) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (n.rfind("SIG", 0) == 0) n = n.substr(3);
    static const std::map<std::string, int> t{
        {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT},     {"ILL", SIGILL},   {"TRAP", SIGTRAP},     {"ABRT", SIGABRT},
        {"IOT", SIGIOT},   {"BUS", SIGBUS},   {"FPE", SIGFPE},       {"KILL", SIGKILL}, {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
        {"USR2", SIGUSR2}, {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},     {"TERM", SIGTERM}, {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},
        {"CONT", SIGCONT}, {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},
        {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH},   {"IO", SIGIO},
        {"POLL", SIGPOLL}, {"PWR", SIGPWR},   {"SYS", SIGSYS}};
    auto it = t.find(n);
    if (it == t.end()) throw Error("unknown signal \"" + s + "\"");
    return it->second;
}

}  // namespace docklock::lifecycle
