// The flags create and run share.
#pragma once
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include "../libcontainer/lifecycle/lifecycle.hpp"
#include "cli.hpp"

namespace docklock::cli {

inline void add_create_flags(po::options_description& d) {
    d.add_options()("bundle,b", po::value<std::string>()->default_value("."), "bundle directory")(
        "pid-file", po::value<std::string>()->default_value(""), "write the init pid here")(
        "console-socket", po::value<std::string>()->default_value(""), "unix socket that receives the pty master")(
        "no-pivot", po::bool_switch(), "use MS_MOVE+chroot instead of pivot_root")("no-new-keyring", po::bool_switch(),
                                                                                   "keep the caller's session keyring")(
        "preserve-fds", po::value<int>()->default_value(0), "pass N fds after stdio")(
        "notify-socket", po::value<std::string>()->default_value(""), "accepted for compatibility");
}

inline lifecycle::CreateOptions create_options(const Globals& g, const Parsed& p) {
    lifecycle::CreateOptions o;
    o.id = p.args.at(0);
    o.bundle = p.vm["bundle"].as<std::string>();
    o.pid_file = p.vm["pid-file"].as<std::string>();
    o.console_socket = p.vm["console-socket"].as<std::string>();
    o.no_pivot = p.vm["no-pivot"].as<bool>();
    o.no_new_keyring = p.vm["no-new-keyring"].as<bool>();
    o.systemd_cgroup = g.systemd_cgroup;
    o.preserve_fds = p.vm["preserve-fds"].as<int>();
    // Socket activation, as runc: fds 3.. passed to docklock go on to the container's init, which is
    // told so through LISTEN_FDS and LISTEN_PID=1. Only when they were meant for this process.
    const char* lf = std::getenv("LISTEN_FDS");
    const char* lp = std::getenv("LISTEN_PID");
    if (lf && std::atoi(lf) > 0 && (!lp || std::atoi(lp) == static_cast<int>(::getpid()))) {
        o.listen_fds = std::atoi(lf);
        o.preserve_fds += o.listen_fds;
    }
    auto t0 = std::chrono::steady_clock::now();
    o.policy = g.load_policy();
    o.policy_load_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    return o;
}

}  // namespace docklock::cli
