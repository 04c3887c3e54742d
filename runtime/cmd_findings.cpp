#include <cstdio>
#include <iostream>

#include "../libcontainer/util/error.hpp"
#include "../libcontainer/util/fs.hpp"
#include "cli.hpp"

namespace docklock::cli {

// docklock findings ID [--format table|json]: what the policy did to a container at create.
int cmd_findings(const Globals& g, const std::vector<std::string>& argv) {
    po::options_description d("findings");
    d.add_options()("format,f", po::value<std::string>()->default_value("table"), "table or json");
    Parsed p = parse("findings", argv, d);
    want_args(p, 1, 1, "findings <container-id> [--format table|json]");
    std::string fmt = p.vm["format"].as<std::string>();
    if (fmt != "table" && fmt != "json") throw Error("findings: --format must be table or json");
    state::Store store = g.store();
    state::Container c = store.open(p.args[0]);
    std::string text;
    if (!fs::read_file_if_exists(c.path("findings.json"), text)) text = "[]";
    nlohmann::json j = nlohmann::json::parse(text);
    if (fmt == "json") {
        std::cout << j.dump(2) << "\n";
        return 0;
    }
    std::printf("%-8s %-20s %-34s %s\n", "ACTION", "CONTROL", "FIELD", "REQUESTED -> APPLIED");
    for (const auto& f : j) {
        std::printf("%-8s %-20s %-34s %s -> %s\n", f.value("action", "changed").c_str(), f.value("control", "").c_str(),
                    f.value("field", "").c_str(), f.value("requested", "").c_str(), f.value("applied", "").c_str());
        std::printf("%-8s %s\n", "", f.value("reason", "").c_str());
    }
    return 0;
}

}  // namespace docklock::cli
