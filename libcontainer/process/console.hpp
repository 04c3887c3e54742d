// The container's terminal: a pty made inside the container's devpts, master sent to --console-socket.
#pragma once
#include "plan.hpp"

namespace docklock::process {
void setup_console(const InitPlan& p);  // after clone; dies on error
}
