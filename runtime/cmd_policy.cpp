// docklock policy show [--format yaml|json]: the effective policy (--policy, DOCKLOCK_POLICY,
//   /etc/docklock/policy.yaml or the builtin baseline).
// docklock policy check CONFIG|--bundle DIR [--format table|json] [--host FILE]: what the policy
//   would change or refuse in that config; exit 1 if it would be refused.
#include <cstdio>
#include <iostream>

#include "../libcontainer/util/error.hpp"
#include "../libcontainer/util/fs.hpp"
#include "../libcontainer/objects/resolve.hpp"
#include "cli.hpp"

namespace docklock::cli {
namespace {

int show(const Globals& g, const std::vector<std::string>& argv) {
    po::options_description d("policy show");
    d.add_options()("format,f", po::value<std::string>()->default_value("yaml"), "yaml or json");
    Parsed p = parse("policy show", argv, d);
    want_args(p, 0, 0, "policy show [--format yaml|json]");
    std::string fmt = p.vm["format"].as<std::string>();
    if (fmt != "yaml" && fmt != "json") throw Error("policy show: --format must be yaml or json");
    policy::Policy pol = g.load_policy();
    if (fmt == "json")
        std::cout << policy::to_json(pol).dump(2) << "\n";
    else
        std::cout << policy::to_yaml(pol);
    return 0;
}

void print_table(const std::vector<policy::Finding>& findings) {
    std::printf("%-8s %-20s %-34s %s\n", "ACTION", "CONTROL", "FIELD", "REQUESTED -> APPLIED");
    for (const auto& f : findings) {
        std::printf("%-8s %-20s %-34s %s -> %s\n", f.action.c_str(), f.control.c_str(), f.field.c_str(),
                    f.requested.c_str(), f.applied.c_str());
        std::printf("%-8s %s\n", "", f.reason.c_str());
    }
}

int check(const Globals& g, const std::vector<std::string>& argv) {
    po::options_description d("policy check");
    d.add_options()("bundle,b", po::value<std::string>()->default_value(""), "bundle directory")(
        "format,f", po::value<std::string>()->default_value("table"), "table or json")(
        "host", po::value<std::string>()->default_value(""), "host facts (JSON) instead of this host's");
    Parsed p = parse("policy check", argv, d);
    std::string bundle = p.vm["bundle"].as<std::string>();
    std::string usage = "policy check CONFIG|--bundle DIR [--format table|json] [--host FILE]";
    want_args(p, bundle.empty() ? 1 : 0, bundle.empty() ? 1 : 0, usage);
    std::string fmt = p.vm["format"].as<std::string>();
    if (fmt != "table" && fmt != "json") throw Error("policy check: --format must be table or json");
    std::string config = bundle.empty() ? p.args[0] : bundle + "/config.json";
    spec::Spec requested = spec::parse_spec(fs::read_file(config), config);
    spec::validate(requested, config);
    std::string host_file = p.vm["host"].as<std::string>();
    policy::HostFacts host = host_file.empty()
                                 ? policy::HostFacts::probe()
                                 : policy::HostFacts::from_json(nlohmann::json::parse(fs::read_file(host_file), nullptr,
                                                                                      false),
                                                                host_file);
    if (host_file.empty()) {  // a relative root.path is the bundle's, as create sees it (userns remap checks it)
        auto slash = config.find_last_of('/');
        host.bundle = fs::canonical_dir(slash == std::string::npos ? "." : slash == 0 ? "/" : config.substr(0, slash));
    }
    policy::Policy pol = g.load_policy();
    // On this host, the objects are opened and judged as create judges them; with --host, lexically.
    if (host_file.empty()) host.objects = objects::resolve(requested, {host.bundle, policy::object_paths(pol), {}}).facts;
    policy::Result r = policy::apply(requested, pol, host);
    if (fmt == "json") {
        std::cout << policy::check_report(r, pol).dump(2) << "\n";
    } else {
        print_table(r.findings);
        std::cout << (r.refused() ? r.refusal_message()
                                  : "would run (" + std::to_string(r.findings.size()) + " findings, policy " + pol.source + ")")
                  << "\n";
    }
    return r.refused() ? 1 : 0;
}

}  // namespace

int cmd_policy(const Globals& g, const std::vector<std::string>& argv) {
    if (argv.empty()) throw Error("usage: docklock policy show|check ...");
    if (argv[0] == "--help" || argv[0] == "-h" || argv[0] == "-help") {
        std::cout << "usage: docklock policy show|check [flags]\n\n";
        for (const char* sub : {"show", "check"}) {
            const Usage* u = usage_of(std::string("policy ") + sub);
            std::cout << "  docklock policy " << sub << " " << u->args << "\n      " << u->summary << "\n";
        }
        std::cout << "\n`docklock policy SUBCOMMAND --help` shows its flags.\n";
        return 0;
    }
    std::vector<std::string> rest(argv.begin() + 1, argv.end());
    if (argv[0] == "show") return show(g, rest);
    if (argv[0] == "check") return check(g, rest);
    throw Error("policy: unknown subcommand \"" + argv[0] + "\" (show or check)");
}

}  // namespace docklock::cli
