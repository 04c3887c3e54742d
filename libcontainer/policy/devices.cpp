// Devices: linux.devices and device cgroup allow rules limited to the baseline devices plus the
// admin's `allow` ("c 10:229", "b 8:*"). A privileged request's device list (every host device and
// an allow-all rule) is replaced by the baseline instead of refused: that is what --privileged
// downgraded means. The same device asked for explicitly (--device /dev/sda) is refused. Rules
// without a deny-all (none at all, deny-only, no linux.resources) get one first: the device cgroup
// is always default-deny plus the runtime's defaults (the baseline devices) plus the allowed rules.
#include <algorithm>
#include <cstdio>

#include "controls.hpp"

namespace docklock::policy::detail {
namespace {

struct Dev {
    char type;
    int64_t major, minor;  // minor -1: any
    const char* name;
};

const std::vector<Dev>& baseline() {
    static const std::vector<Dev> d{{'c', 1, 3, "/dev/null"},    {'c', 1, 5, "/dev/zero"},    {'c', 1, 7, "/dev/full"},
                                    {'c', 1, 8, "/dev/random"},  {'c', 1, 9, "/dev/urandom"}, {'c', 5, 0, "/dev/tty"},
                                    {'c', 5, 1, "/dev/console"}, {'c', 5, 2, "/dev/ptmx"},    {'c', 136, -1, "/dev/pts/*"}};
    return d;
}

std::vector<Dev> admin(const std::vector<std::string>& allow) {
    std::vector<Dev> out;
    for (const auto& a : allow) {
        char t = 0;
        long long ma = 0, mi = -1;
        char star = 0;
        if (std::sscanf(a.c_str(), "%c %lld:%lld", &t, &ma, &mi) == 3 ||
            (std::sscanf(a.c_str(), "%c %lld:%c", &t, &ma, &star) == 3 && star == '*'))
            out.push_back({t, ma, star == '*' ? -1 : mi, ""});
    }
    return out;
}

// Does the allowlist grant (type, major, minor)? A wildcard request needs a wildcard grant.
bool granted(const std::vector<Dev>& list, char type, std::optional<int64_t> major, std::optional<int64_t> minor) {
    if (type == 'u') type = 'c';
    for (const auto& d : list) {
        if (d.type != type || !major || *major != d.major) continue;
        if (d.minor == -1 || (minor && *minor == d.minor)) return true;
    }
    return false;
}

spec::DeviceRule deny_all() {
    return {false, "a", std::nullopt, std::nullopt, "rwm"};
}

// A deny rule for every device and every access (v1 writes any type-a deny as "a"; v2 needs rwm).
bool is_deny_all(const spec::DeviceRule& r) {
    if (r.allow || !(r.type.empty() || r.type == "a")) return false;
    const std::string& a = r.access;
    return a.empty() ||
           (a.find('r') != std::string::npos && a.find('w') != std::string::npos && a.find('m') != std::string::npos);
}

std::string number(char type, std::optional<int64_t> ma, std::optional<int64_t> mi) {
    return std::string(1, type) + " " + (ma ? std::to_string(*ma) : "*") + ":" + (mi ? std::to_string(*mi) : "*");
}

}  // namespace

void devices(Ctx& x, spec::Linux& l) {
    const std::string id = "devices";
    if (x.mode(id) == Mode::Off) return;
    std::vector<Dev> allow = baseline();
    for (const auto& d : admin(x.allowed(id))) allow.push_back(d);

    std::vector<spec::Device> kept;
    std::vector<std::string> dropped;
    for (size_t i = 0; i < l.devices.size(); ++i) {
        const auto& d = l.devices[i];
        char t = d.type.empty() ? 'c' : d.type[0];
        if (t == 'p' || granted(allow, t, d.major, d.minor)) {
            kept.push_back(d);
            continue;
        }
        if (x.privileged) {
            dropped.push_back(d.path);
            continue;
        }
        std::string n = number(t, d.major, d.minor);
        if (!x.violation(id, "linux.devices[" + std::to_string(i) + "]", d.path + " (" + n + ")", "dropped",
                         "\"" + d.path + "\" (" + n + ") is not an allowed device", "\"" + n + "\""))
            kept.push_back(d);
    }
    if (x.privileged && !dropped.empty())
        x.add(id, "linux.devices", std::to_string(l.devices.size()) + " devices",
              std::to_string(kept.size()) + " baseline devices",
              "privileged request downgraded: " + std::to_string(dropped.size()) + " host devices not passed in");
    l.devices = kept;

    // Without linux.resources the device cgroup is still ruled: it is default-deny whatever was asked.
    auto& rules = (l.resources ? *l.resources : l.resources.emplace()).devices;
    if (x.privileged) {
        std::vector<spec::DeviceRule> base{deny_all()};
        for (const auto& d : baseline())
            base.push_back({true, std::string(1, d.type), d.major, d.minor == -1 ? std::nullopt : std::optional(d.minor), "rwm"});
        x.add(id, "linux.resources.devices",
              std::to_string(rules.size()) + (rules.size() == 1 ? " rule" : " rules") + " (all devices allowed)",
              std::to_string(base.size()) + " baseline rules", "privileged request downgraded: the baseline device rules");
        rules = base;
        return;
    }
    std::vector<spec::DeviceRule> keep;
    for (size_t i = 0; i < rules.size(); ++i) {
        const auto& r = rules[i];
        char t = r.type.empty() ? 'a' : r.type[0];
        if (!r.allow || (t != 'a' && granted(allow, t, r.major, r.minor))) {
            keep.push_back(r);
            continue;
        }
        std::string n = t == 'a' ? "a *:*" : number(t, r.major, r.minor);
        if (!x.violation(
                id, "linux.resources.devices[" + std::to_string(i) + "]", n + " " + r.access, "dropped",
                "allows " + (t == 'a' ? std::string("every device") : "\"" + n + "\"") + ", which is not an allowed device",
                t == 'a' ? "" : "\"" + n + "\""))
            keep.push_back(r);
    }
    rules = keep;

    // No deny-all rule: every device the rules do not name could be opened (a host node bound in, one
    // made with mknod). The device cgroup starts from deny-all instead, as runc's does; the runtime
    // does the same under --policy off (cgroups::with_default_deny), this makes the spec-to-run say so.
    if (std::none_of(rules.begin(), rules.end(), is_deny_all)) {
        std::string before = rules.empty()
                                 ? std::string("no rules")
                                 : std::to_string(rules.size()) + (rules.size() == 1 ? " rule" : " rules") + ", no deny-all";
        rules.insert(rules.begin(), deny_all());
        x.add(id, "linux.resources.devices", before + " (every other device allowed)",
              "deny-all first, then " + std::to_string(rules.size() - 1) + (rules.size() == 2 ? " rule" : " rules"),
              "the device cgroup starts from deny-all: only the baseline devices and the allowed rules can be opened");
    }
}

bool device_allowed(Ctx& x, char type, int64_t major, int64_t minor) {
    std::vector<Dev> allow = baseline();
    for (const auto& d : admin(x.allowed("devices"))) allow.push_back(d);
    return granted(allow, type, major, minor);
}

}  // namespace docklock::policy::detail
