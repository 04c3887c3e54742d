// Policy -> YAML (loadable again) and JSON, for `docklock policy show`.
#include <yaml-cpp/yaml.h>

#include "policy.hpp"

namespace docklock::policy {

std::string to_yaml(const Policy& p) {
    YAML::Emitter e;
    e << YAML::Comment("docklock policy (effective: " + p.source + ")");
    e << YAML::BeginMap;
    e << YAML::Key << "version" << YAML::Value << 1;
    if (!p.audit_log.empty()) e << YAML::Key << "audit_log" << YAML::Value << p.audit_log;
    e << YAML::Key << "controls" << YAML::Value << YAML::BeginMap;
    for (const auto& cs : control_specs()) {
        const Control& c = p.control(cs.id);
        e << YAML::Key << cs.id << YAML::Value;
        if (cs.params.empty()) {
            e << to_string(c.mode);
            continue;
        }
        e << YAML::BeginMap << YAML::Key << "mode" << YAML::Value << to_string(c.mode);
        for (const auto& ps : cs.params) {
            e << YAML::Key << ps.key << YAML::Value;
            switch (ps.type) {
                case ParamType::List: e << YAML::Flow << c.list(ps.key); break;
                case ParamType::Int: e << c.integer(ps.key); break;
                case ParamType::String: e << YAML::DoubleQuoted << c.str(ps.key); break;
            }
        }
        e << YAML::EndMap;
    }
    e << YAML::EndMap;
    if (!p.exceptions.empty()) {
        e << YAML::Key << "exceptions" << YAML::Value << YAML::BeginSeq;
        for (const auto& x : p.exceptions) {
            e << YAML::BeginMap << YAML::Key << "annotation" << YAML::Value << YAML::DoubleQuoted << x.annotation;
            if (!x.value.empty()) e << YAML::Key << "value" << YAML::Value << YAML::DoubleQuoted << x.value;
            e << YAML::Key << "control" << YAML::Value << x.control;
            e << YAML::Key << "allow" << YAML::Value << YAML::Flow << x.allow << YAML::EndMap;
        }
        e << YAML::EndSeq;
    }
    e << YAML::EndMap;
    return std::string(e.c_str()) + "\n";
}

nlohmann::json to_json(const Policy& p) {
    nlohmann::json j{{"version", 1}, {"source", p.source}, {"off", p.off}};
    if (!p.audit_log.empty()) j["audit_log"] = p.audit_log;
    nlohmann::json cj = nlohmann::json::object();
    for (const auto& cs : control_specs()) {
        const Control& c = p.control(cs.id);
        nlohmann::json x{{"mode", to_string(c.mode)}};
        for (const auto& ps : cs.params) {
            switch (ps.type) {
                case ParamType::List: x[ps.key] = c.list(ps.key); break;
                case ParamType::Int: x[ps.key] = c.integer(ps.key); break;
                case ParamType::String: x[ps.key] = c.str(ps.key); break;
            }
        }
        cj[cs.id] = x;
    }
    j["controls"] = cj;
    nlohmann::json ex = nlohmann::json::array();
    for (const auto& x : p.exceptions)
        ex.push_back({{"annotation", x.annotation}, {"value", x.value}, {"control", x.control}, {"allow", x.allow}});
    j["exceptions"] = ex;
    return j;
}

}  // namespace docklock::policy
