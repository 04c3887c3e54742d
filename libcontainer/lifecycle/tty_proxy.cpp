#include "tty_proxy.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>

#include "../util/fd.hpp"
#include "lifecycle.hpp"

namespace docklock::lifecycle {
namespace {

struct RawMode {
    bool active = false;
    termios saved{};
    RawMode() {
        if (!::isatty(0) || ::tcgetattr(0, &saved) < 0) return;
        termios raw = saved;
        ::cfmakeraw(&raw);
        active = ::tcsetattr(0, TCSANOW, &raw) == 0;
    }
    ~RawMode() {
        if (active) ::tcsetattr(0, TCSANOW, &saved);
    }
};

void copy_size(int master) {
    winsize ws{};
    if (::ioctl(0, TIOCGWINSZ, &ws) == 0) ::ioctl(master, TIOCSWINSZ, &ws);
}

bool pump(int from, int to) {
    char buf[8192];
    ssize_t n = ::read(from, buf, sizeof buf);
    if (n <= 0) return false;
    for (ssize_t off = 0; off < n;) {
        ssize_t w = ::write(to, buf + off, static_cast<size_t>(n - off));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        off += w;
    }
    return true;
}

}  // namespace

int proxy_tty_until_exit(int master, pid_t pid) {
    RawMode raw;
    copy_size(master);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGWINCH);
    ::sigprocmask(SIG_BLOCK, &set, nullptr);
    UniqueFd winch(::signalfd(-1, &set, SFD_CLOEXEC));
    UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
    pollfd fds[4] = {{0, POLLIN, 0}, {master, POLLIN, 0}, {winch.get(), POLLIN, 0}, {pidfd.get(), POLLIN, 0}};
    for (;;) {
        if (::poll(fds, 4, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (fds[1].revents & POLLIN) pump(master, 1);
        if (fds[0].revents & (POLLIN | POLLHUP)) {
            if (!pump(0, master)) fds[0].fd = -1;  // stdin closed: keep the output flowing
        }
        if (fds[2].revents & POLLIN) {
            signalfd_siginfo si;
            (void)!::read(winch.get(), &si, sizeof si);
            copy_size(master);
        }
        if (fds[3].revents & POLLIN) {
            while (pump(master, 1)) {  // whatever is still buffered
                pollfd p{master, POLLIN, 0};
                if (::poll(&p, 1, 0) != 1) break;
            }
            break;
        }
        if ((fds[1].revents & (POLLHUP | POLLERR)) && !(fds[1].revents & POLLIN)) fds[1].fd = -1;
    }
    return wait_exit_code(pid, true);
}

}  // namespace docklock::lifecycle
