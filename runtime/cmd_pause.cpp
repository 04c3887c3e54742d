#include "../libcontainer/lifecycle/lifecycle.hpp"
#include "cli.hpp"

namespace docklock::cli {

int cmd_pause(const Globals& g, const std::vector<std::string>& argv) {
    po::options_description d("pause");
    Parsed p = parse("pause", argv, d);
    want_args(p, 1, 1, "pause <container-id>");
    state::Store store = g.store();
    lifecycle::pause(store, p.args[0]);
    return 0;
}

}  // namespace docklock::cli
