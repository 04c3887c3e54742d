#include <iostream>

#include "../libcontainer/spec/default_spec.hpp"
#include "../libcontainer/util/error.hpp"
#include "../libcontainer/util/fs.hpp"
#include "cli.hpp"

namespace docklock::cli {

int cmd_spec(const Globals&, const std::vector<std::string>& argv) {
    po::options_description d("spec");
    d.add_options()("bundle,b", po::value<std::string>()->default_value("."), "where to write config.json")(
        "rootless", po::bool_switch(), "a template for an unprivileged user");
    Parsed p = parse("spec", argv, d);
    want_args(p, 0, 0, "spec [--bundle DIR] [--rootless]");
    std::string path = fs::join(p.vm["bundle"].as<std::string>(), "config.json");
    if (fs::exists(path)) throw Error("spec: " + path + " already exists; remove it first");
    fs::write_file_atomic(path, spec::default_config(p.vm["rootless"].as<bool>()).dump(2) + "\n", 0644);
    return 0;
}

}  // namespace docklock::cli
