// Facts built from strings alone, for `policy check --host FILE` and the engine's unit tests, where
// no object of the described host can be opened: a path's identity is its resolved spelling (through
// the host description's symlinks) and the directories above it are its lexical parents. create and
// `policy check` on this host use the resolver's facts instead (resolve.hpp).
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "../spec/spec.hpp"
#include "facts.hpp"

namespace docklock::objects {

struct LexicalHost {
    std::function<std::string(const std::string&)> resolve;   // symlinks of the described host
    std::function<std::string(const std::string&)> readlink;  // /proc/<pid>/exe targets
    std::function<bool(const std::string& type, const std::string& path)> is_host_namespace;
    std::string bundle;  // "" : relative paths are taken from "/"
    // A unix socket of the described host at this resolved path: who listens on it (nullopt: not a socket).
    std::function<std::optional<Listener>(const std::string& path)> socket;
};

Facts lexical_path(const std::string& resolved_absolute);
SpecFacts lexical(const spec::Spec& s, const LexicalHost& h, const std::vector<std::string>& policy_paths);

}  // namespace docklock::objects
