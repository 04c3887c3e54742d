// Sysctls: only namespaced ones, as `allow` lists them; net.* only with a private network namespace.
#include "controls.hpp"

namespace docklock::policy::detail {

void sysctls(Ctx& x, spec::Linux& l) {
    const std::string id = "sysctls";
    if (x.mode(id) == Mode::Off) return;
    std::vector<std::string> allow = x.allowed(id);
    bool private_net = private_namespace(x, l, "network");
    std::map<std::string, std::string> kept;
    for (const auto& [name, value] : l.sysctl) {
        bool listed = false;
        for (const auto& a : allow)
            if (a == name || (!a.empty() && a.back() == '*' && name.compare(0, a.size() - 1, a, 0, a.size() - 1) == 0))
                listed = true;
        std::string what;
        if (!listed)
            what = "\"" + name + "\" is not a namespaced sysctl the policy allows: it would change the host";
        else if (name.rfind("net.", 0) == 0 && !private_net)
            what = "\"" + name + "\" is a network sysctl and the container shares the host's network namespace";
        if (what.empty() || !x.violation(id, "linux.sysctl." + name, value, "dropped", what, "\"" + name + "\""))
            kept[name] = value;
    }
    l.sysctl = kept;
}

}  // namespace docklock::policy::detail
