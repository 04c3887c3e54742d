// Timestamps as the runtime writes them (state.json "created", audit log lines).
#pragma once
#include <string>

namespace docklock {

// The current UTC time as RFC 3339 with nanoseconds, as runc writes it: 2024-05-01T12:00:00.123456789Z.
std::string now_rfc3339();

}  // namespace docklock
