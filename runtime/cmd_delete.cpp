#include <unistd.h>
#include <cerrno>
#include "../libcontainer/lifecycle/lifecycle.hpp"
#include "cli.hpp"

namespace docklock::cli {

int cmd_delete(const Globals& g, const std::vector<std::string>& argv) {
    po::options_description d("delete");
    d.add_options()("force,f", po::bool_switch(), "kill a running container and delete it");
    Parsed p = parse("delete", argv, d);
    want_args(p, 1, 1, "delete [--force] <container-id>");
    state::Store store = g.store();
    const std::string& id = p.args[0];
    bool force = p.vm["force"].as<bool>();
    // As runc: --force on a container that does not exist succeeds (containerd's shim deletes with
    // --force once more after `ctr run --rm` and logged "failed to remove runc container").
    state::Store::validate_id(id);
    if (force && ::access((store.root() + "/" + id).c_str(), F_OK) < 0 && errno == ENOENT) return 0;
    lifecycle::remove(store, id, force);
    return 0;
}

}  // namespace docklock::cli
