// docklock audit CONFIG|--bundle DIR|ID...|--all [--requested|--effective] [--format table|json]
//                [--strict] [--host FILE]
// The CIS Docker Benchmark v1.6.0 section 5 controls a config.json shows (libcontainer/audit).
// A config file or bundle is judged as requested by default, or with --effective as the current
// policy would run it; a container by its stored config (what runs, after the policy) by default,
// or with --requested by its bundle's config.json. Exit status 1 when a config would be refused, or
// with --strict when any control is WARN.
#include <sys/stat.h>

#include <iostream>

#include "../libcontainer/audit/audit.hpp"
#include "../libcontainer/util/error.hpp"
#include "../libcontainer/util/fs.hpp"
#include "cli.hpp"

namespace docklock::cli {
namespace {

spec::Spec load_spec(const std::string& path) {
    spec::Spec s = spec::parse_spec(fs::read_file(path), path);
    spec::validate(s, path);
    return s;
}

bool is_file(const std::string& p) {
    struct stat st;
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

int cmd_audit(const Globals& g, const std::vector<std::string>& argv) {
    po::options_description d("audit");
    d.add_options()("bundle,b", po::value<std::string>()->default_value(""), "bundle directory")(
        "all,a", po::bool_switch(), "every running container")("requested", po::bool_switch(),
                                                               "the config as written, before the policy")(
        "effective", po::bool_switch(), "the config the policy runs (default for containers)")(
        "format,f", po::value<std::string>()->default_value("table"), "table or json")(
        "strict", po::bool_switch(), "exit 1 when any control is WARN")("host", po::value<std::string>()->default_value(""),
                                                                        "host facts (JSON) instead of this host's");
    Parsed p = parse("audit", argv, d);
    const std::string usage =
        "audit CONFIG|--bundle DIR|CONTAINER-ID...|--all [--requested|--effective] [--format table|json] [--strict] "
        "[--host FILE]";
    std::string bundle = p.vm["bundle"].as<std::string>();
    bool all = p.vm["all"].as<bool>();
    bool requested = p.vm["requested"].as<bool>(), effective = p.vm["effective"].as<bool>();
    if (requested && effective) throw Error("audit: --requested and --effective exclude each other");
    if (!bundle.empty() && all) throw Error("audit: --bundle and --all exclude each other");
    if (!bundle.empty() || all)
        want_args(p, 0, 0, usage);
    else
        want_args(p, 1, 1000, usage);
    std::string fmt = p.vm["format"].as<std::string>();
    if (fmt != "table" && fmt != "json") throw Error("audit: --format must be table or json");
    std::string host_file = p.vm["host"].as<std::string>();
    policy::HostFacts host = host_file.empty() ? policy::HostFacts::probe()
                                               : policy::HostFacts::from_json(
                                                     nlohmann::json::parse(fs::read_file(host_file), nullptr, false), host_file);

    std::vector<audit::Report> reports;
    // A config file: as written, or through the current policy.
    auto audit_file = [&](const std::string& subject, const std::string& config) {
        audit::Report r;
        r.subject = subject;
        spec::Spec s = load_spec(config);
        if (effective) {
            policy::Policy pol = g.load_policy();
            policy::Result res = policy::apply(s, pol, host);
            r.mode = "effective";
            r.policy = pol.source;
            if (res.refused()) {
                r.refused = true;
                r.refusal = res.refusal_message();
            } else {
                r.checks = audit::evaluate(res.spec, host);
            }
        } else {
            r.mode = "requested";
            r.checks = audit::evaluate(s, host);
        }
        reports.push_back(std::move(r));
    };
    // A container: its stored config is what the policy let run.
    auto audit_container = [&](state::Container& c) {
        if (requested) {
            audit::Report r;
            r.subject = c.id();
            r.mode = "requested";
            r.checks = audit::evaluate(load_spec(c.st.bundle + "/config.json"), host);
            reports.push_back(std::move(r));
            return;
        }
        audit::Report r;
        r.subject = c.id();
        r.mode = "effective";
        r.policy = "as created";
        r.checks = audit::evaluate(spec::parse_spec(fs::read_file(c.path("config.json")), c.path("config.json")), host);
        reports.push_back(std::move(r));
    };

    if (!bundle.empty()) {
        audit_file(bundle, bundle + "/config.json");
    } else if (all) {
        state::Store store = g.store();
        for (const auto& id : store.list()) {
            state::Container c = store.open(id);
            try {
                c.load();
            } catch (const std::exception&) {
                continue;  // being created
            }
            state::Status st = c.status();
            if (st == state::Status::Running || st == state::Status::Paused) audit_container(c);
        }
    } else {
        for (const auto& a : p.args) {
            if (is_file(a)) {
                audit_file(a, a);
                continue;
            }
            state::Store store = g.store();
            state::Container c = store.open(a);
            c.load();
            audit_container(c);
        }
    }

    bool refused = false, warn = false;
    for (const auto& r : reports) {
        refused = refused || r.refused;
        warn = warn || r.any_warn();
    }
    if (fmt == "json") {
        nlohmann::json j = nlohmann::json::array();
        for (const auto& r : reports) j.push_back(r.to_json());
        std::cout << (reports.size() == 1 && !all ? j[0] : j).dump(2) << "\n";
    } else {
        for (size_t i = 0; i < reports.size(); ++i) std::cout << (i ? "\n" : "") << reports[i].to_table();
        if (all && reports.empty()) std::cout << "no running containers\n";
    }
    return refused || (p.vm["strict"].as<bool>() && warn) ? 1 : 0;
}

}  // namespace docklock::cli
