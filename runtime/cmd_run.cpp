#include "create_options.hpp"

namespace docklock::cli {

int cmd_run(const Globals& g, const std::vector<std::string>& argv) {
    po::options_description d("run");
    add_create_flags(d);
    d.add_options()("detach,d", po::bool_switch(), "do not wait for the container")(
        "keep", po::bool_switch(), "keep the container after it exits")("no-subreaper", po::bool_switch(),
                                                                        "accepted for compatibility");
    Parsed p = parse("run", argv, d);
    want_args(p, 1, 1, "run [flags] <container-id>");
    state::Store store = g.store();
    return lifecycle::run(store, create_options(g, p), p.vm["detach"].as<bool>(), p.vm["keep"].as<bool>());
}

}  // namespace docklock::cli
