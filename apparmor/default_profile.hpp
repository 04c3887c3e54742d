// docklock-default: the AppArmor profile the baseline gives containers that asked for none. Shipped
// as apparmor/profiles/docklock-default (installed in /etc/apparmor.d) and compiled into docklock, which
// loads it itself when a container needs it and it is not loaded yet.
#pragma once
#include <string>

namespace docklock::apparmor {

inline const std::string kDefaultProfile = "docklock-default";

const char* default_profile_text();
// Loads docklock-default with apparmor_parser (-K: no cache; -r: replace). Throws with the parser's
// message when it fails.
void load_default_profile();

}  // namespace docklock::apparmor
