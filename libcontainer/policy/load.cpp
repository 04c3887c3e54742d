// YAML policy -> Policy (yaml-cpp). A file overrides the builtin baseline per control and, within a
// control, per key: what it does not name keeps the builtin value. Every error names the file,
// line and column (1-based) and the key path: "policy.yaml:4:3: controls.capabilitiez: unknown control".
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <set>

#include "../../caps/caps.hpp"
#include "../util/error.hpp"
#include "../util/fs.hpp"
#include "policy.hpp"

namespace docklock::policy {
namespace {

const char* kind(const YAML::Node& n) {
    switch (n.Type()) {
        case YAML::NodeType::Null: return "null";
        case YAML::NodeType::Scalar: return "a scalar";
        case YAML::NodeType::Sequence: return "a sequence";
        case YAML::NodeType::Map: return "a mapping";
        default: return "nothing";
    }
}

// controls.seccomp.profile: a profile file -> OCI linux.seccomp JSON, checked. Docker's format
// (archMap, name, includes/excludes) is converted as dockerd would for a container holding none of the
// capabilities its rules are conditional on: rules needing a capability or a minimum kernel are
// left out, rules excluded for capability holders are kept; archMap gives the native architecture
// and its sub-architectures. Throws "FILE: field: what".
nlohmann::json seccomp_profile_file(const std::string& path) {
    std::string text;
    if (!fs::read_file_if_exists(path, text)) throw Error(path + ": " + std::strerror(ENOENT));
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded()) throw Error(path + ": not valid JSON");
    if (j.is_object() && j.contains("linux") && j["linux"].is_object() && j["linux"].contains("seccomp"))
        j = j["linux"]["seccomp"];  // a whole config.json
    if (!j.is_object()) throw Error(path + ": not a seccomp profile (expected an object)");
#if defined(__x86_64__)
    const std::string native = "SCMP_ARCH_X86_64";
#elif defined(__aarch64__)
    const std::string native = "SCMP_ARCH_AARCH64";
#else
    const std::string native;
#endif
    bool docker = j.contains("archMap");
    if (j.contains("syscalls") && j["syscalls"].is_array())
        for (const auto& r : j["syscalls"])
            if (r.is_object() && (r.contains("name") || r.contains("includes") || r.contains("excludes"))) docker = true;
    if (docker) {
        nlohmann::json o = nlohmann::json::object();
        for (const char* k : {"defaultAction", "defaultErrnoRet", "architectures", "flags"})
            if (j.contains(k)) o[k] = j[k];
        if (j.contains("archMap")) {
            if (!j["archMap"].is_array()) throw Error(path + ": archMap: expected an array");
            nlohmann::json archs = o.value("architectures", nlohmann::json::array());
            for (size_t i = 0; i < j["archMap"].size(); ++i) {
                const auto& a = j["archMap"][i];
                std::string ap = path + ": archMap[" + std::to_string(i) + "]";
                if (!a.is_object() || !a.value("architecture", nlohmann::json()).is_string())
                    throw Error(ap + ".architecture: required");
                if (a["architecture"] != native) continue;
                archs.push_back(a["architecture"]);
                if (a.contains("subArchitectures") && a["subArchitectures"].is_array())
                    for (const auto& sa : a["subArchitectures"]) archs.push_back(sa);
            }
            o["architectures"] = archs;
        }
        nlohmann::json rules = nlohmann::json::array();
        if (j.contains("syscalls")) {
            if (!j["syscalls"].is_array()) throw Error(path + ": syscalls: expected an array");
            for (size_t i = 0; i < j["syscalls"].size(); ++i) {
                nlohmann::json r = j["syscalls"][i];
                if (!r.is_object()) throw Error(path + ": syscalls[" + std::to_string(i) + "]: expected an object");
                auto list = [&](const char* cond, const char* key) {
                    return r.contains(cond) && r[cond].is_object() && r[cond].contains(key) && r[cond][key].is_array()
                               ? r[cond][key]
                               : nlohmann::json::array();
                };
                auto has = [](const nlohmann::json& a, const std::string& v) {
                    return std::find(a.begin(), a.end(), v) != a.end();
                };
                if (!list("includes", "caps").empty()) continue;
                if (r.contains("includes") && r["includes"].is_object() && r["includes"].contains("minKernel")) continue;
                if (auto a = list("includes", "arches"); !a.empty() && !has(a, native)) continue;
                if (auto a = list("excludes", "arches"); has(a, native)) continue;
                if (r.contains("name") && !r.contains("names")) r["names"] = nlohmann::json::array({r["name"]});
                for (const char* k : {"name", "includes", "excludes", "comment"}) r.erase(k);
                rules.push_back(r);
            }
        }
        o["syscalls"] = rules;
        j = o;
    }
    spec::Seccomp parsed;
    try {
        nlohmann::json wrap{{"ociVersion", "1.0.2"}, {"root", {{"path", "rootfs"}}}, {"linux", {{"seccomp", j}}}};
        parsed = *spec::parse_spec_json(wrap, path).linux->seccomp;
    } catch (const Error& e) {
        std::string m = e.what();  // "PATH: linux.seccomp.FIELD: what" -> "PATH: FIELD: what"
        const std::string from = path + ": linux.seccomp.";
        if (m.rfind(from, 0) == 0) m = path + ": " + m.substr(from.size());
        throw Error(m);
    }
    static const std::set<std::string> actions{"SCMP_ACT_ALLOW",        "SCMP_ACT_ERRNO",       "SCMP_ACT_KILL",
                                               "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
                                               "SCMP_ACT_TRACE",        "SCMP_ACT_LOG"};
    auto action = [&](const std::string& a, const std::string& field) {
        if (a == "SCMP_ACT_NOTIFY") throw Error(path + ": " + field + ": SCMP_ACT_NOTIFY needs an agent; not allowed here");
        if (!actions.count(a)) throw Error(path + ": " + field + ": unknown action \"" + a + "\"");
    };
    action(parsed.defaultAction, "defaultAction");
    for (size_t i = 0; i < parsed.syscalls.size(); ++i) {
        std::string f = "syscalls[" + std::to_string(i) + "]";
        action(parsed.syscalls[i].action, f + ".action");
        if (parsed.syscalls[i].names.empty()) throw Error(path + ": " + f + ".names: must not be empty");
    }
    for (size_t i = 0; i < parsed.architectures.size(); ++i)
        if (parsed.architectures[i].rfind("SCMP_ARCH_", 0) != 0)
            throw Error(path + ": architectures[" + std::to_string(i) + "]: unknown architecture \"" +
                        parsed.architectures[i] + "\"");
    if (!parsed.listenerPath.empty()) throw Error(path + ": listenerPath: a notify agent is not allowed here");
    return spec::to_json(parsed);
}

class Loader {
public:
    explicit Loader(std::string origin) : origin_(std::move(origin)) {}

    [[noreturn]] void fail(const YAML::Mark& m, const std::string& what) const {
        if (m.is_null()) throw Error(origin_ + ": " + what);
        throw Error(origin_ + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1) + ": " + what);
    }
    [[noreturn]] void wrong(const YAML::Node& n, const std::string& path, const char* want) const {
        fail(n.Mark(), path + ": expected " + want + ", got " + kind(n));
    }

    std::string scalar(const YAML::Node& n, const std::string& path) const {
        if (!n.IsScalar()) wrong(n, path, "a string");
        return n.Scalar();
    }
    int64_t integer(const YAML::Node& n, const std::string& path) const {
        if (!n.IsScalar()) wrong(n, path, "an integer");
        try {
            return n.as<int64_t>();
        } catch (const YAML::BadConversion&) {
            fail(n.Mark(), path + ": expected an integer, got \"" + n.Scalar() + "\"");
        }
    }
    std::vector<std::string> strings(const YAML::Node& n, const std::string& path) const {
        if (!n.IsSequence()) wrong(n, path, "a sequence of strings");
        std::vector<std::string> out;
        for (size_t i = 0; i < n.size(); ++i) out.push_back(scalar(n[i], path + "[" + std::to_string(i) + "]"));
        return out;
    }
    void mapping(const YAML::Node& n, const std::string& path) const {
        if (!n.IsMap()) wrong(n, path, "a mapping");
    }

    Mode mode(const YAML::Node& n, const std::string& path) const {
        std::string s = scalar(n, path);
        auto m = mode_from_string(s);
        if (!m) fail(n.Mark(), path + ": unknown mode \"" + s + "\" (enforce, reject, audit or off)");
        return *m;
    }

    // Capability names as the spec writes them: CAP_ prefix, upper case, known to libcap.
    std::string capability(const YAML::Node& n, const std::string& path) const {
        std::string s = scalar(n, path);
        for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        if (s.rfind("CAP_", 0) != 0) s = "CAP_" + s;
        if (caps::from_name(s) < 0) fail(n.Mark(), path + ": unknown capability \"" + n.Scalar() + "\"");
        return s;
    }

    void control(const std::string& id, const YAML::Node& n, const std::string& path, Control& c) const {
        const ControlSpec* spec = find_control_spec(id);
        if (n.IsScalar()) {  // shorthand: `seccomp: audit`
            c.mode = mode(n, path);
            return;
        }
        if (!n.IsMap()) wrong(n, path, "a mode or a mapping");
        for (auto it = n.begin(); it != n.end(); ++it) {
            std::string key = scalar(it->first, path);
            std::string kp = path + "." + key;
            if (key == "mode") {
                c.mode = mode(it->second, kp);
                continue;
            }
            auto ps = std::find_if(spec->params.begin(), spec->params.end(), [&](const ParamSpec& p) { return p.key == key; });
            if (ps == spec->params.end()) {
                std::string known = "mode";
                for (const auto& p : spec->params) known += ", " + p.key;
                fail(it->first.Mark(), kp + ": unknown key (" + id + " takes " + known + ")");
            }
            switch (ps->type) {
                case ParamType::List: {
                    std::vector<std::string> v;
                    if (id == "capabilities") {
                        if (!it->second.IsSequence()) wrong(it->second, kp, "a sequence of capability names");
                        for (size_t i = 0; i < it->second.size(); ++i)
                            v.push_back(capability(it->second[i], kp + "[" + std::to_string(i) + "]"));
                    } else {
                        v = strings(it->second, kp);
                    }
                    c.lists[key] = v;
                    break;
                }
                case ParamType::Int: c.ints[key] = integer(it->second, kp); break;
                case ParamType::String:  // "" is unset, as `policy show` prints an unset string
                    if (std::string v = scalar(it->second, kp); v.empty())
                        c.strings.erase(key);
                    else
                        c.strings[key] = v;
                    break;
            }
        }
    }

    Exception exception(const YAML::Node& n, const std::string& path, const Policy& p) const {
        mapping(n, path);
        Exception e;
        bool has_allow = false;
        YAML::Node allow_node;
        for (auto it = n.begin(); it != n.end(); ++it) {
            std::string key = scalar(it->first, path);
            std::string kp = path + "." + key;
            if (key == "annotation") {
                e.annotation = scalar(it->second, kp);
            } else if (key == "value") {
                e.value = scalar(it->second, kp);
            } else if (key == "control") {
                e.control = scalar(it->second, kp);
                const ControlSpec* cs = find_control_spec(e.control);
                if (!cs) fail(it->second.Mark(), kp + ": unknown control \"" + e.control + "\"");
                bool takes = std::any_of(cs->params.begin(), cs->params.end(), [](const ParamSpec& ps) {
                    return ps.key == "allow" && ps.type == ParamType::List;
                });
                if (!takes) fail(it->second.Mark(), kp + ": control \"" + e.control + "\" has no allow list to extend");
            } else if (key == "allow") {
                has_allow = true;
                allow_node = it->second;
            } else {
                fail(it->first.Mark(), kp + ": unknown key (an exception takes annotation, value, control, allow)");
            }
        }
        if (e.annotation.empty()) fail(n.Mark(), path + ".annotation: required");
        if (e.control.empty()) fail(n.Mark(), path + ".control: required");
        if (!has_allow) fail(n.Mark(), path + ".allow: required");
        if (!allow_node.IsSequence()) wrong(allow_node, path + ".allow", "a sequence of strings");
        for (size_t i = 0; i < allow_node.size(); ++i) {
            std::string ip = path + ".allow[" + std::to_string(i) + "]";
            if (e.control == "capabilities") {
                std::string cap = capability(allow_node[i], ip);
                const auto& never = p.control("capabilities").list("never");
                if (std::find(never.begin(), never.end(), cap) != never.end())
                    fail(allow_node[i].Mark(), ip + ": " + cap + " is on capabilities.never, which no exception can grant");
                e.allow.push_back(cap);
            } else {
                e.allow.push_back(scalar(allow_node[i], ip));
            }
        }
        return e;
    }

    Policy load(const std::string& text) const {
        YAML::Node root;
        try {
            root = YAML::Load(text);
        } catch (const YAML::ParserException& e) {
            fail(e.mark, "invalid YAML: " + e.msg);
        }
        Policy p = builtin();
        p.source = origin_;
        if (root.IsNull()) return p;
        mapping(root, "the policy");
        YAML::Node exceptions;
        for (auto it = root.begin(); it != root.end(); ++it) {
            std::string key = scalar(it->first, "the policy");
            if (key == "version") {
                if (integer(it->second, key) != 1) fail(it->second.Mark(), "version: only version 1 exists");
            } else if (key == "audit_log") {
                p.audit_log = scalar(it->second, key);
                if (p.audit_log.empty() || p.audit_log[0] != '/')
                    fail(it->second.Mark(), "audit_log: must be an absolute path");
            } else if (key == "controls") {
                if (it->second.IsNull()) continue;
                mapping(it->second, key);
                for (auto c = it->second.begin(); c != it->second.end(); ++c) {
                    std::string id = scalar(c->first, key);
                    if (!find_control_spec(id)) {
                        std::string known;
                        for (const auto& cs : control_specs()) known += (known.empty() ? "" : ", ") + cs.id;
                        fail(c->first.Mark(), key + "." + id + ": unknown control (known: " + known + ")");
                    }
                    control(id, c->second, key + "." + id, p.controls[id]);
                }
            } else if (key == "exceptions") {
                exceptions = it->second;  // after the controls: an exception is checked against capabilities.never
            } else {
                fail(it->first.Mark(), key + ": unknown key (a policy has version, audit_log, controls, exceptions)");
            }
        }
        if (const std::string f = p.controls["seccomp"].str("profile"), r = p.controls["seccomp"].str("replace");
            !f.empty() || !r.empty()) {
            const YAML::Node croot = root;
            const YAML::Node sc = croot["controls"]["seccomp"];
            if (!r.empty() && r != "missing" && r != "all")
                fail(sc["replace"].Mark(), "controls.seccomp.replace: \"" + r + "\" is not missing or all");
            if (!f.empty()) {
                const YAML::Node n = sc["profile"];
                if (f[0] != '/') fail(n.Mark(), "controls.seccomp.profile: must be an absolute path");
                try {
                    p.seccomp_profile = seccomp_profile_file(f);
                } catch (const Error& e) {
                    fail(n.Mark(), std::string("controls.seccomp.profile: ") + e.what());
                }
            }
        }
        if (exceptions && !exceptions.IsNull()) {
            if (!exceptions.IsSequence()) wrong(exceptions, "exceptions", "a sequence");
            for (size_t i = 0; i < exceptions.size(); ++i)
                p.exceptions.push_back(exception(exceptions[i], "exceptions[" + std::to_string(i) + "]", p));
        }
        return p;
    }

private:
    std::string origin_;
};

}  // namespace

Policy load_string(const std::string& text, const std::string& origin) {
    return Loader(origin).load(text);
}

Policy load_file(const std::string& path) {
    std::string text;
    if (!fs::read_file_if_exists(path, text)) throw Error("policy " + path, ENOENT);
    return load_string(text, path);
}

Policy resolve(const std::string& flag, const char* env, const std::string& system_path) {
    auto from = [](const std::string& v) { return v == "off" ? off() : v == "builtin" ? builtin() : load_file(v); };
    if (!flag.empty()) return from(flag);
    if (env && *env) return from(env);
    if (fs::exists(system_path)) return load_file(system_path);
    return builtin();
}

}  // namespace docklock::policy
