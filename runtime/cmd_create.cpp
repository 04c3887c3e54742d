#include "create_options.hpp"

namespace docklock::cli {

int cmd_create(const Globals& g, const std::vector<std::string>& argv) {
    po::options_description d("create");
    add_create_flags(d);
    Parsed p = parse("create", argv, d);
    want_args(p, 1, 1, "create [flags] <container-id>");
    state::Store store = g.store();
    lifecycle::create(store, create_options(g, p));
    return 0;
}

}  // namespace docklock::cli
