#include <cstdio>
#include <iostream>

#include "../libcontainer/util/error.hpp"

#include "cli.hpp"

namespace docklock::cli {

int cmd_list(const Globals& g, const std::vector<std::string>& argv) {
    po::options_description d("list");
    d.add_options()("format,f", po::value<std::string>()->default_value("table"), "table or json")("quiet,q", po::bool_switch(),
                                                                                                   "ids only");
    Parsed p = parse("list", argv, d);
    want_args(p, 0, 0, "list [--format table|json] [--quiet]");
    std::string fmt = p.vm["format"].as<std::string>();
    if (fmt != "table" && fmt != "json") throw Error("list: --format must be table or json");
    state::Store store = g.store();
    nlohmann::json all = nlohmann::json::array();
    for (const auto& id : store.list()) {
        state::Container c = store.open(id);
        try {
            c.load();
        } catch (const std::exception&) {
            continue;  // being created
        }
        nlohmann::json s = c.oci_state();
        all.push_back({{"ociVersion", s["ociVersion"]},
                       {"id", id},
                       {"pid", s["pid"]},
                       {"status", s["status"]},
                       {"bundle", c.st.bundle},
                       {"rootfs", c.st.rootfs},
                       {"created", c.st.created},
                       {"owner", c.st.owner}});
    }
    if (p.vm["quiet"].as<bool>()) {
        for (const auto& c : all) std::cout << c["id"].get<std::string>() << "\n";
    } else if (fmt == "json") {
        std::cout << all.dump() << "\n";
    } else {
        std::printf("%-20s %-8s %-10s %-40s %-32s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
        for (const auto& c : all)
            std::printf("%-20s %-8d %-10s %-40s %-32s %s\n", c["id"].get<std::string>().c_str(), c["pid"].get<int>(),
                        c["status"].get<std::string>().c_str(), c["bundle"].get<std::string>().c_str(),
                        c["created"].get<std::string>().c_str(), c["owner"].get<std::string>().c_str());
    }
    return 0;
}

}  // namespace docklock::cli
