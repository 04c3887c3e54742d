// Shared by the policy engine's unit tests: the Docker fixtures, a described host, finding lookup.
#pragma once
#include <catch2/catch.hpp>
#include <cstdlib>
#include <iostream>

#include "libcontainer/policy/policy.hpp"
#include "libcontainer/util/error.hpp"
#include "libcontainer/util/fs.hpp"

namespace policy_test {

using namespace docklock;


inline spec::Spec fixture(const std::string& name) {
    if (!fs::exists(FIXTURES_DIR)) {
        std::cout << "SKIP: the Docker fixtures are not at " FIXTURES_DIR " (shared/ beside the checkout)\n";
        std::exit(77);
    }
    return spec::parse_spec(fs::read_file(std::string(FIXTURES_DIR) + "/" + name + ".json"));
}

inline policy::HostFacts host() {
    policy::HostFacts h;
    h.resolve = [](const std::string& p) { return p.rfind("/var/run/", 0) == 0 ? "/run/" + p.substr(9) : p; };
    h.readlink = [](const std::string& p) { return p == "/proc/1234/exe" ? std::string("/usr/bin/dockerd") : ""; };
    return h;
}

inline const policy::Finding* find(const policy::Result& r, const std::string& control, const std::string& action = "") {
    for (const auto& f : r.findings)
        if (f.control == control && (action.empty() || f.action == action)) return &f;
    return nullptr;
}

inline std::vector<std::string> baseline_caps() {
    return {"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID",
            "CAP_KILL",  "CAP_SETGID",       "CAP_SETUID", "CAP_NET_BIND_SERVICE"};
}

// The error a policy text gives, "" when it loads.
inline std::string load_error(const std::string& yaml) {
    try {
        policy::load_string(yaml, "/etc/docklock/policy.yaml");
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}


}  // namespace policy_test
