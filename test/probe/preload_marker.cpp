// A shared object a hostile config names in a hook's LD_PRELOAD (test/integration/hostile_ns_test.cpp).
// Loaded into a process, it writes "uid=N" to $DOCKLOCK_MARKER and exits 0 before the program runs:
// harmless evidence that the client's code ran inside the hook, as whom.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((constructor)) static void mark() {
    const char* path = getenv("DOCKLOCK_MARKER");
    if (!path) return;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
        char buf[32];
        int n = snprintf(buf, sizeof buf, "uid=%d\n", static_cast<int>(getuid()));
        if (n > 0) (void)!write(fd, buf, static_cast<size_t>(n));
        close(fd);
    }
    _exit(0);
}
