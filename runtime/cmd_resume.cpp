#include "../libcontainer/lifecycle/lifecycle.hpp"
#include "cli.hpp"

namespace docklock::cli {

int cmd_resume(const Globals& g, const std::vector<std::string>& argv) {
    po::options_description d("resume");
    Parsed p = parse("resume", argv, d);
    want_args(p, 1, 1, "resume <container-id>");
    state::Store store = g.store();
    lifecycle::resume(store, p.args[0]);
    return 0;
}

}  // namespace docklock::cli
