#include <chrono>
#include <iostream>
#include <thread>

#include "../libcontainer/lifecycle/lifecycle.hpp"
#include "../libcontainer/util/error.hpp"
#include "cli.hpp"

namespace docklock::cli {

// runc's shape: one {"type":"stats",...} with --stats; else stats every --interval and {"type":"oom"}
// as soon as the cgroup records an OOM kill, until the container stops.
int cmd_events(const Globals& g, const std::vector<std::string>& argv) {
    po::options_description d("events");
    d.add_options()("stats", po::bool_switch(), "print stats once")("interval", po::value<std::string>()->default_value("5s"),
                                                                    "stats interval (e.g. 5s, 500ms)");
    Parsed p = parse("events", argv, d);
    want_args(p, 1, 1, "events [--stats] [--interval 5s] <container-id>");
    state::Store store = g.store();
    const std::string& id = p.args[0];
    if (p.vm["stats"].as<bool>()) {
        std::cout << lifecycle::stats(store, id).dump() << std::endl;
        return 0;
    }
    std::string iv = p.vm["interval"].as<std::string>();
    long ms = iv.size() > 2 && iv.substr(iv.size() - 2) == "ms" ? std::stol(iv) : std::stol(iv) * 1000;
    if (ms <= 0) throw Error("events: --interval must be positive");
    uint64_t ooms = lifecycle::oom_kills(store, id);
    auto next = std::chrono::steady_clock::now();
    for (;;) {
        state::Container c = store.open(id);
        c.load();
        bool stopped = c.status() == state::Status::Stopped;
        uint64_t now_ooms = lifecycle::oom_kills(store, id);  // before leaving: the OOM may be what stopped it
        if (now_ooms > ooms) std::cout << nlohmann::json{{"type", "oom"}, {"id", id}}.dump() << std::endl;
        ooms = now_ooms;
        if (stopped) return 0;
        if (std::chrono::steady_clock::now() >= next) {
            std::cout << lifecycle::stats(store, id).dump() << std::endl;
            next += std::chrono::milliseconds(ms);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min(ms, 100L)));
    }
}

}  // namespace docklock::cli
