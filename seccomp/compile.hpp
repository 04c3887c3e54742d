// linux.seccomp (OCI) -> a BPF program, compiled with libseccomp before clone.
#pragma once
#include <string>
#include <vector>

#include "../libcontainer/process/plan.hpp"
#include "../libcontainer/spec/spec.hpp"

namespace docklock::seccomp {

// Syscall names libseccomp does not know are skipped and listed in `skipped`.
process::SeccompPlan compile(const spec::Seccomp& s, std::vector<std::string>* skipped = nullptr);

std::vector<std::string> supported_actions();
std::vector<std::string> supported_operators();
std::vector<std::string> supported_archs();
std::vector<std::string> known_flags();
std::string library_version();

}  // namespace docklock::seccomp
