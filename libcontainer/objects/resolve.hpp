// The resolver: opens every object a spec's decision depends on, once, before the policy runs, and
// reads their facts (facts.hpp). The fds it keeps are what the setup code mounts (open_tree of the
// judged bind source), joins (setns) and pivots into: the string is never resolved again.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "../spec/spec.hpp"
#include "../util/fd.hpp"
#include "facts.hpp"

namespace docklock::objects {

struct Opened {
    SpecFacts facts;
    UniqueFd bundle;                   // O_PATH of the bundle directory
    UniqueFd root;                     // O_PATH of root.path
    std::vector<UniqueFd> mounts;      // O_PATH of each bind source, by mounts[] index (-1: not a bind)
    std::vector<UniqueFd> namespaces;  // the namespace fds, by linux.namespaces[] index (-1: new)
};

struct ResolveInputs {
    std::string bundle;                       // absolute
    std::vector<std::string> policy_paths;    // host paths the policy names (sensitive, readonly...)
    // Is this the user namespace of a container docklock runs? Default: never.
    std::function<bool(const Id&)> container_userns;
};

// Never throws for a single object: its Facts carry the errno and the policy refuses it. Throws
// only when the bundle itself cannot be opened.
Opened resolve(const spec::Spec& s, const ResolveInputs& in);

// The facts of an opened fd (fstat, statfs, the kernel's path, the directories above it).
Facts facts_of(int fd);
// openat2 from `dirfd` with RESOLVE_NO_MAGICLINKS (a /proc/<pid>/root or /proc/self/fd/N link would
// hand over an object its string does not name); -1 with errno.
int open_object(int dirfd, const std::string& path, int flags);
// A host path the policy names: its facts, or, when missing, exists=false with the facts of the
// nearest existing parent.
Facts host_path(const std::string& path);
// The facts of a namespace file (magic links followed: /proc/<pid>/ns/net is how they are named).
NsFacts ns_facts(int fd, const std::function<bool(const Id&)>& container_userns);
// Is a bind or linux.mounts entry a bind (the classification the plan builder uses too)?
bool is_bind_mount(const spec::Mount& m);

}  // namespace docklock::objects
