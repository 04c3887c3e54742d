// AppArmor: is it enabled, is a profile loaded, and the "exec <profile>" request for init.
#pragma once
#include <string>

namespace docklock::apparmor {

bool enabled();
bool profile_loaded(const std::string& name);
// Checks a requested profile (empty and "unconfined" need nothing) and returns the string
// init writes to /proc/thread-self/attr/apparmor/exec, or "" when there is nothing to apply.
// Throws naming `field` when AppArmor is off or the profile is not loaded.
std::string exec_request(const std::string& profile, const std::string& field);

}  // namespace docklock::apparmor
