// OCI hooks: each gets the container state JSON on stdin, its own args and env, and an optional timeout.
#pragma once
#include <string>
#include <vector>

#include <map>

#include <nlohmann/json.hpp>

#include "../objects/facts.hpp"
#include "../process/plan.hpp"
#include "../spec/spec.hpp"
#include "../util/cbuf.hpp"

namespace docklock::hooks {

std::vector<process::HookPlan> plan(const std::vector<spec::Hook>& hooks);

// Async-signal-safe: usable in the container's init before execve. Returns 0, or -1 with err set.
int run_one(const process::HookPlan& h, const char* state, size_t len, CBuf<512>& err);

// The executables the policy judged at create, per phase and hook of the spec that runs (state file
// hooks.json). With pins, the runtime opens each hook's path, and runs the opened file only if it is
// the pinned file, still owned by root and not writable by group or others; without (--policy off),
// the path is run as runc runs it.
using Pins = std::map<std::string, std::vector<objects::Id>>;
nlohmann::json pins_to_json(const Pins& p);
Pins pins_from_json(const nlohmann::json& j);
// Pins for `kept` (the hooks of the spec that runs) from the facts of `requested`'s hooks.
Pins pin(const spec::Hooks& kept, const spec::Hooks& requested, const std::map<std::string, std::vector<objects::Facts>>& facts);

// Runtime side: run every hook of a phase; throws naming the phase, index and path on failure.
void run_all(const std::vector<spec::Hook>& hooks, const std::string& state_json, const char* phase,
             const Pins* pins = nullptr);

// poststart/poststop: a failing hook is a warning and the remaining hooks still run (runtime-spec).
void run_all_warn(const std::vector<spec::Hook>& hooks, const std::string& state_json, const char* phase,
                  const Pins* pins = nullptr);

}  // namespace docklock::hooks
