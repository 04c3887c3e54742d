#include "../libcontainer/lifecycle/lifecycle.hpp"
#include "cli.hpp"

namespace docklock::cli {

int cmd_start(const Globals& g, const std::vector<std::string>& argv) {
    po::options_description d("start");
    Parsed p = parse("start", argv, d);
    want_args(p, 1, 1, "start <container-id>");
    state::Store store = g.store();
    lifecycle::start(store, p.args[0]);
    return 0;
}

}  // namespace docklock::cli
