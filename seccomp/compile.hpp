// linux.seccomp (OCI) -> a BPF program, compiled with libseccomp before clone.
#pragma once
#include <string>
#include <vector>

#include "../libcontainer/process/plan.hpp"
#include "../libcontainer/spec/spec.hpp"

namespace docklock::seccomp {

// Syscall names libseccomp does not know are skipped and listed in `skipped`. With a cache set, a
// profile compiled before is loaded from it (verified) instead of going through libseccomp again.
process::SeccompPlan compile(const spec::Seccomp& s, std::vector<std::string>* skipped = nullptr);

// The BPF cache: dir (made 0700 if missing; "" turns the cache off) and a tag naming this build.
void set_cache(const std::string& dir, const std::string& tag);

// Whether the running kernel accepts this SECCOMP_FILTER_FLAG_* (by name) for seccomp(2).
bool flag_supported(const std::string& flag);

std::vector<std::string> supported_actions();
std::vector<std::string> supported_operators();
std::vector<std::string> supported_archs();
std::vector<std::string> known_flags();
std::vector<std::string> supported_flags();  // known_flags() this kernel accepts
std::string library_version();

}  // namespace docklock::seccomp
