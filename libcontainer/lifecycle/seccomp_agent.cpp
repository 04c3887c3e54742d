#include "seccomp_agent.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "../util/error.hpp"
#include "../util/fd.hpp"
#include "../util/log.hpp"
#include "../util/unix_socket.hpp"
#include "../process/sync.hpp"

namespace docklock::lifecycle {

nlohmann::json container_process_state(const spec::Seccomp& s, pid_t pid, const nlohmann::json& state) {
    nlohmann::json j{{"ociVersion", state.value("ociVersion", "1.2.0")}, {"fds", {"seccompFd"}}, {"pid", pid}, {"state", state}};
    if (!s.listenerMetadata.empty()) j["metadata"] = s.listenerMetadata;
    return j;
}

void send_to_seccomp_agent(const spec::Seccomp& s, int listener, const nlohmann::json& cps) {
    const std::string field = "linux.seccomp.listenerPath";
    if (s.listenerPath.empty()) throw Error(field + ": SCMP_ACT_NOTIFY is used but listenerPath is not set");
    UniqueFd sock = unix_connect(s.listenerPath, field + ": connect to the seccomp agent at");
    const std::string text = cps.dump();
    size_t sent = 0;
    while (sent < text.size()) {
        // The fd goes with the first sendmsg only, as the runtime-spec requires.
        ssize_t n = sync::sendmsg_fd(sock.get(), text.data() + sent, text.size() - sent, sent == 0 ? listener : -1);
        if (n <= 0)
            throw Error(field + ": send the container process state to the seccomp agent at " + s.listenerPath,
                        n < 0 ? errno : EPIPE);
        sent += static_cast<size_t>(n);
    }
    log::debug("seccomp: listener sent to the agent at " + s.listenerPath);
}

}  // namespace docklock::lifecycle
