#include <signal.h>

#include "../libcontainer/lifecycle/lifecycle.hpp"
#include "cli.hpp"

namespace docklock::cli {

int cmd_kill(const Globals& g, const std::vector<std::string>& argv) {
    po::options_description d("kill");
    d.add_options()("all,a", po::bool_switch(), "signal every process in the container");
    Parsed p = parse("kill", argv, d);
    want_args(p, 1, 2, "kill [--all] <container-id> [signal]");
    int sig = p.args.size() > 1 ? lifecycle::parse_signal(p.args[1]) : SIGTERM;
    state::Store store = g.store();
    lifecycle::kill(store, p.args[0], sig, p.vm["all"].as<bool>());
    return 0;
}

}  // namespace docklock::cli
