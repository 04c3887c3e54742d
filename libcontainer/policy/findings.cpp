// Findings: what the engine changed, refused, audited or noted, and how they read.
#include "controls.hpp"

namespace docklock::policy {

nlohmann::json Finding::to_json() const {
    return {{"control", control}, {"field", field},   {"requested", requested},
            {"applied", applied}, {"reason", reason}, {"action", action}};
}

std::string Finding::to_line() const {
    if (action == "refused") return "refused by control \"" + control + "\": " + field + " " + reason;
    std::string s = control + ": " + field + ": requested " + requested + ", applied " + applied + " (" + reason + ")";
    return action == "changed" ? s : "[" + action + "] " + s;
}

bool Result::refused() const {
    for (const auto& f : findings)
        if (f.action == "refused") return true;
    return false;
}

std::string refusal_message(const std::vector<Finding>& findings) {
    std::string first;
    size_t n = 0;
    for (const auto& f : findings)
        if (f.action == "refused" && n++ == 0) first = "policy: " + f.to_line();
    if (n > 1) first += " (and " + std::to_string(n - 1) + " more refusal" + (n > 2 ? "s" : "") + ": docklock policy check)";
    return first;
}

std::string Result::refusal_message() const {
    return policy::refusal_message(findings);
}

nlohmann::json check_report(const Result& r, const Policy& p) {
    nlohmann::json f = nlohmann::json::array();
    for (const auto& x : r.findings) f.push_back(x.to_json());
    return {{"policy", p.source}, {"refused", r.refused()}, {"findings", f}};
}

namespace detail {

std::string join(const std::vector<std::string>& v, const std::string& sep) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
    return s;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
    for (const auto& x : v)
        if (x == s) return true;
    return false;
}

void Ctx::add(const std::string& control, const std::string& field, const std::string& requested,
              const std::string& applied, const std::string& reason, const std::string& action) {
    findings.push_back({control, field, requested, applied, reason, action});
}

bool Ctx::violation(const std::string& control, const std::string& field, const std::string& requested,
                    const std::string& applied, const std::string& what, const std::string& allow_hint,
                    const std::string& hint_key) {
    switch (mode(control)) {
        case Mode::Off: return false;
        case Mode::Audit: add(control, field, requested, requested, what, "audit"); return false;
        case Mode::Enforce: add(control, field, requested, applied, what); return true;
        case Mode::Reject: break;
    }
    std::string file = policy.source == "builtin" ? "/etc/docklock/policy.yaml" : policy.source;
    std::string how = "; an admin can allow it by setting " + control + " to audit";
    if (!allow_hint.empty()) how += " or adding " + allow_hint + " to " + control + "." + hint_key;
    add(control, field, requested, "refused", what + how + " in " + file, "refused");
    return false;
}

std::vector<std::string> Ctx::allowed(const std::string& id, const std::string& key) {
    std::vector<std::string> out = control(id).list(key);
    if (key != "allow") return out;
    for (const auto& e : policy.exceptions) {
        if (e.control != id) continue;
        auto it = annotations.find(e.annotation);
        if (it == annotations.end() || (!e.value.empty() && it->second != e.value)) continue;
        for (const auto& a : e.allow)
            if (!contains(out, a)) out.push_back(a);
        std::string note = id + "\n" + e.annotation;
        if (!exceptions_noted_[note]) {
            exceptions_noted_[note] = true;
            add(id, "annotations." + e.annotation, it->second, join(e.allow),
                "a trusted exception of the policy extends " + id + ".allow", "info");
        }
    }
    return out;
}

}  // namespace detail
}  // namespace docklock::policy
