#pragma once
#include "plan.hpp"

namespace docklock::process {
// Never returns: execs the user's process or exits after reporting the error on sync_fd.
[[noreturn]] void container_main(const InitPlan& plan, int sync_fd);
}  // namespace docklock::process
