#include <iostream>

#include "cli.hpp"

namespace docklock::cli {

int cmd_state(const Globals& g, const std::vector<std::string>& argv) {
    po::options_description d("state");
    Parsed p = parse("state", argv, d);
    want_args(p, 1, 1, "state <container-id>");
    state::Store store = g.store();
    state::Container c = store.open(p.args[0]);
    c.load();
    std::cout << c.oci_state().dump(2) << "\n";
    return 0;
}

}  // namespace docklock::cli
