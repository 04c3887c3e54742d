#include "child.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include "../util/cbuf.hpp"
#include "sync.hpp"

namespace docklock::process {

static int g_sync_fd = -1;

void child_set_sync_fd(int fd) {
    g_sync_fd = fd;
}
int child_sync_fd() {
    return g_sync_fd;
}

void child_close_fds(int first, const std::vector<int>& keep) {
    unsigned lo = static_cast<unsigned>(first);
    for (int k : keep) {
        if (k < first) continue;
        if (static_cast<unsigned>(k) > lo) syscall(SYS_close_range, lo, static_cast<unsigned>(k) - 1, 0U);
        lo = static_cast<unsigned>(k) + 1;
    }
    syscall(SYS_close_range, lo, ~0U, 0U);
}

void child_die(const char* what, const char* path, int err) {
    CBuf<1024> m;
    m.add(what);
    if (path && *path) m.add(" ").add(path);
    if (g_sync_fd >= 0) sync::send(g_sync_fd, sync::Msg::Error, err, m.c_str(), m.size());
    _exit(1);
}

}  // namespace docklock::process
