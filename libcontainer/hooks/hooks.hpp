// OCI hooks: each gets the container state JSON on stdin, its own args and env, and an optional timeout.
#pragma once
#include <string>
#include <vector>

#include "../process/plan.hpp"
#include "../spec/spec.hpp"
#include "../util/cbuf.hpp"

namespace docklock::hooks {

std::vector<process::HookPlan> plan(const std::vector<spec::Hook>& hooks);

// Async-signal-safe: usable in the container's init before execve. Returns 0, or -1 with err set.
int run_one(const process::HookPlan& h, const char* state, size_t len, CBuf<512>& err);

// Runtime side: run every hook of a phase; throws naming the phase, index and path on failure.
void run_all(const std::vector<spec::Hook>& hooks, const std::string& state_json, const char* phase);

// poststart/poststop: a failing hook is a warning and the remaining hooks still run (runtime-spec).
void run_all_warn(const std::vector<spec::Hook>& hooks, const std::string& state_json, const char* phase);

}  // namespace docklock::hooks
