#include "../libcontainer/lifecycle/lifecycle.hpp"
#include "cli.hpp"

namespace docklock::cli {

int cmd_delete(const Globals& g, const std::vector<std::string>& argv) {
    po::options_description d("delete");
    d.add_options()("force,f", po::bool_switch(), "kill a running container and delete it");
    Parsed p = parse("delete", argv, d);
    want_args(p, 1, 1, "delete [--force] <container-id>");
    state::Store store = g.store();
    lifecycle::remove(store, p.args[0], p.vm["force"].as<bool>());
    return 0;
}

}  // namespace docklock::cli
