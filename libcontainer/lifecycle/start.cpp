// start releases the init blocked in accept() on start.sock; run = create + start + wait.
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "../hooks/hooks.hpp"
#include "../process/sync.hpp"
#include "../util/error.hpp"
#include "../util/fd.hpp"
#include "../util/fs.hpp"
#include "../util/log.hpp"
#include "../util/unix_socket.hpp"
#include "lifecycle.hpp"
#include "tty_proxy.hpp"

namespace docklock::lifecycle {

static spec::Spec load_config(const state::Container& c) {
    return spec::parse_spec(fs::read_file(c.path("config.json")));
}

void start(state::Store& store, const std::string& id) {
    state::Container c = store.open(id);
    c.lock();
    c.load();
    state::Status st = c.status();
    if (st != state::Status::Created)
        throw Error("cannot start container \"" + id + "\": it is " + state::to_string(st) + ", not created");
    spec::Spec s = load_config(c);
    UniqueFd conn = unix_connect(c.path("start.sock"), "connect to container init at");
    std::string state = state_json(c, "created");
    if (::send(conn.get(), state.data(), state.size(), MSG_NOSIGNAL) < 0) sys_fail("release container init");
    ::shutdown(conn.get(), SHUT_WR);
    // EOF means the init's execve succeeded (the socket is close-on-exec); data means it failed.
    char buf[sizeof(sync::Header) + 1024];
    size_t got = 0;
    for (;;) {
        ssize_t n = ::recv(conn.get(), buf + got, sizeof buf - 1 - got, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += static_cast<size_t>(n);
        if (got >= sizeof buf - 1) break;
    }
    ::unlink(c.path("start.sock").c_str());
    if (got >= sizeof(sync::Header)) {
        sync::Header h;
        std::memcpy(&h, buf, sizeof h);
        buf[got] = '\0';
        throw Error(std::string("container init: ") + (buf + sizeof h), h.value);
    }
    auto pins = load_hook_pins(c);
    hooks::run_all_warn(s.hooks.poststart, state_json(c, "running"), "poststart", pins ? &*pins : nullptr);
}

int run(state::Store& store, const CreateOptions& o, bool detach, bool keep) {
    UniqueFd console;
    pid_t pid = create(store, o, detach ? nullptr : &console);
    try {
        start(store, o.id);
    } catch (...) {
        try {
            remove(store, o.id, true);
        } catch (...) {
        }
        throw;
    }
    if (detach) return 0;
    int code = console ? proxy_tty_until_exit(console.get(), pid) : wait_exit_code(pid, true);
    if (!keep) remove(store, o.id, true);
    return code;
}

}  // namespace docklock::lifecycle
