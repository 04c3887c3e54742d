#include "console.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>

#include "../util/cbuf.hpp"
#include "child.hpp"
#include "sync.hpp"

namespace docklock::process {

void setup_console(const InitPlan& p) {
    int master = ::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) child_die("open", "/dev/ptmx", errno);
    int unlock = 0;
    if (::ioctl(master, TIOCSPTLCK, &unlock) < 0) child_die("unlock pty", "", errno);
    // TIOCGPTPEER opens the peer through the master itself: no path lookup a rootfs could redirect.
    int peer = ::ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (peer < 0) child_die("open pty peer", "", errno);
    int n = 0;
    CBuf<64> name;
    if (::ioctl(master, TIOCGPTN, &n) == 0) name.add("/dev/pts/").add(static_cast<long>(n));
    if (p.rows || p.cols) {
        winsize ws{p.rows, p.cols, 0, 0};
        ::ioctl(peer, TIOCSWINSZ, &ws);
    }
    if (p.console_sock >= 0) {
        if (!sync::send_fd(p.console_sock, master, name.c_str())) child_die("send pty master to console socket", "", errno);
        ::close(p.console_sock);
    }
    ::close(master);
    if (::setsid() < 0) child_die("setsid", "", errno);
    if (::ioctl(peer, TIOCSCTTY, 0) < 0) child_die("set controlling terminal", "", errno);
    for (int fd = 0; fd < 3; ++fd)
        if (::dup3(peer, fd, 0) < 0) child_die("dup pty onto stdio", "", errno);
    if (peer > 2) ::close(peer);
}

}  // namespace docklock::process
