// Foreground `run` with process.terminal and no --console-socket: docklock owns the pty master,
// copies stdin/stdout through it, keeps the window size in step, and returns the exit code.
#pragma once
#include <sys/types.h>

namespace docklock::lifecycle {
int proxy_tty_until_exit(int master, pid_t pid);
}
