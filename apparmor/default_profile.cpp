#include "default_profile.hpp"

#include "parser.hpp"

namespace docklock::apparmor {
namespace embedded {
extern const char docklock_default_profile[];  // generated from apparmor/profiles/docklock-default
}

const char* default_profile_text() {
    return embedded::docklock_default_profile;
}

void load_default_profile() {
    run_parser(default_profile_text(), kDefaultProfile, true);
}

}  // namespace docklock::apparmor
