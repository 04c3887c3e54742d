// Loading a profile into the kernel: apparmor_parser -K -r (no cache, replace) with the profile text
// on its stdin. Used for docklock-default (default_profile.cpp) and `profile apparmor --load`.
#pragma once
#include <string>

namespace docklock::apparmor {

// Throws "load AppArmor profile "NAME" with PARSER: <the parser's output on one line>" when it fails,
// or "load AppArmor profile "NAME": apparmor_parser is missing (Debian package apparmor)".
// quiet: -q (no warnings on success).
void run_parser(const std::string& text, const std::string& name, bool quiet = false);

}  // namespace docklock::apparmor
