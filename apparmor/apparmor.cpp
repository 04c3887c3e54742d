#include "apparmor.hpp"

#include <sys/apparmor.h>

#include "../libcontainer/util/error.hpp"
#include "../libcontainer/util/fs.hpp"
#include "default_profile.hpp"

namespace docklock::apparmor {

bool enabled() {
    return aa_is_enabled() == 1;
}

bool profile_loaded(const std::string& name) {
    std::string profiles;
    if (!fs::read_file_if_exists("/sys/kernel/security/apparmor/profiles", profiles)) return false;
    size_t pos = 0;
    while (pos < profiles.size()) {
        size_t nl = profiles.find('\n', pos);
        std::string line = profiles.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        size_t sp = line.rfind(" (");
        if (line.substr(0, sp) == name) return true;
        if (nl == std::string::npos) break;
        pos = nl + 1;
    }
    return false;
}

std::string exec_request(const std::string& profile, const std::string& field) {
    if (profile.empty()) return "";
    if (!enabled()) {
        if (profile == "unconfined") return "";
        throw Error(field + ": AppArmor profile \"" + profile + "\" requested but AppArmor is not enabled on this host");
    }
    // The baseline's own profile is loaded on first use; any other must be loaded by the admin.
    if (profile == kDefaultProfile && !profile_loaded(profile)) load_default_profile();
    if (profile != "unconfined" && !profile_loaded(profile))
        throw Error(field + ": AppArmor profile \"" + profile + "\" is not loaded (load it with apparmor_parser)");
    return "exec " + profile;
}

}  // namespace docklock::apparmor
