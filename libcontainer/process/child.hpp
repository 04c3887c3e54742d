// Error reporting for code running after clone: send "what path" and errno to the parent, exit.
#pragma once
#include <vector>

namespace docklock::process {

// Set once in the child before anything can fail.
void child_set_sync_fd(int fd);
int child_sync_fd();
// Close every fd >= first that is not in keep (sorted): the runtime's lock and files stay out.
void child_close_fds(int first, const std::vector<int>& keep);
[[noreturn]] void child_die(const char* what, const char* path, int err);

}  // namespace docklock::process
