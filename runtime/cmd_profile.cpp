// docklock profile apparmor DESC.yaml [--name N] [-o FILE] [--load]: an AppArmor profile from a
//   YAML description (apparmor/generate.hpp), printed, written or loaded with apparmor_parser -Kr.
#include <iostream>

#include "../apparmor/generate.hpp"
#include "../libcontainer/util/error.hpp"
#include "../libcontainer/util/fs.hpp"
#include "cli.hpp"

namespace docklock::cli {
namespace {

int apparmor_cmd(const Globals&, const std::vector<std::string>& argv) {
    po::options_description d("profile apparmor");
    d.add_options()("name,n", po::value<std::string>()->default_value(""), "the profile's name (overrides name:)")(
        "output,o", po::value<std::string>()->default_value(""), "write the profile here instead of stdout")(
        "load", po::bool_switch(), "load it into the kernel with apparmor_parser -Kr");
    Parsed p = parse("profile apparmor", argv, d);
    want_args(p, 1, 1, "profile apparmor DESC.yaml [--name NAME] [-o FILE] [--load]");
    apparmor::ProfileDesc desc = apparmor::parse_description(fs::read_file(p.args[0]), p.args[0]);
    if (std::string n = p.vm["name"].as<std::string>(); !n.empty()) desc.name = n;
    if (desc.name.empty()) throw Error(p.args[0] + ": name: required (or --name)");
    std::string text = apparmor::generate(desc);
    std::string out = p.vm["output"].as<std::string>();
    if (!out.empty()) fs::write_file_atomic(out, text, 0644);
    if (p.vm["load"].as<bool>()) {
        apparmor::load_profile(text, desc.name);
        std::cerr << "loaded AppArmor profile " << desc.name << "\n";
    } else if (out.empty()) {
        std::cout << text;
    }
    return 0;
}

}  // namespace

int cmd_profile(const Globals& g, const std::vector<std::string>& argv) {
    if (argv.empty()) throw Error("usage: docklock profile apparmor ...");
    std::vector<std::string> rest(argv.begin() + 1, argv.end());
    if (argv[0] == "apparmor") return apparmor_cmd(g, rest);
    throw Error("profile: unknown subcommand \"" + argv[0] + "\" (apparmor)");
}

}  // namespace docklock::cli
