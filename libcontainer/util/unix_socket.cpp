#include "unix_socket.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "error.hpp"

namespace docklock {
namespace {

// bind or connect `s` to path. A path longer than sun_path is reached through
// /proc/self/fd/<dir>/<name>, so deep --root directories work too.
int at_path(int s, const std::string& path, int (*op)(int, const sockaddr*, socklen_t)) {
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::string p = path;
    UniqueFd dir;
    if (p.size() >= sizeof a.sun_path) {
        size_t slash = p.rfind('/');
        dir.reset(::open(p.substr(0, slash).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!dir) sys_fail("open " + p.substr(0, slash));
        p = "/proc/self/fd/" + std::to_string(dir.get()) + p.substr(slash);
        if (p.size() >= sizeof a.sun_path) throw Error(path + ": socket name too long", ENAMETOOLONG);
    }
    std::memcpy(a.sun_path, p.c_str(), p.size() + 1);
    return op(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
}

UniqueFd stream_socket() {
    UniqueFd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!s) sys_fail("socket");
    return s;
}

}  // namespace

UniqueFd unix_listen(const std::string& path) {
    UniqueFd s = stream_socket();
    if (at_path(s.get(), path, ::bind) < 0) sys_fail("bind " + path);
    if (::listen(s.get(), 4) < 0) sys_fail("listen " + path);
    return s;
}

UniqueFd unix_connect(const std::string& path, const std::string& what) {
    UniqueFd s = stream_socket();
    if (at_path(s.get(), path, ::connect) < 0) sys_fail(what + " " + path);
    return s;
}

std::pair<UniqueFd, UniqueFd> unix_pair() {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) sys_fail("socketpair");
    return {UniqueFd(sv[0]), UniqueFd(sv[1])};
}

}  // namespace docklock
