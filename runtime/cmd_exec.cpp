#include "../libcontainer/lifecycle/lifecycle.hpp"
#include "cli.hpp"

namespace docklock::cli {

int cmd_exec(const Globals& g, const std::vector<std::string>& argv) {
    po::options_description d("exec");
    d.add_options()("process,p", po::value<std::string>()->default_value(""), "a full OCI process JSON")(
        "tty,t", po::bool_switch(), "allocate a pty")("cwd", po::value<std::string>()->default_value(""), "working directory")(
        "env,e", po::value<std::vector<std::string>>()->composing(), "KEY=VALUE")(
        "user,u", po::value<std::string>()->default_value(""), "uid[:gid]")(
        "additional-gids,g", po::value<std::vector<uint32_t>>()->composing(), "extra group ids")(
        "cap,c", po::value<std::vector<std::string>>()->composing(), "add a capability")(
        "no-new-privs", po::bool_switch(), "set no_new_privs")("apparmor", po::value<std::string>()->default_value(""),
                                                               "AppArmor profile")(
        "process-label", po::value<std::string>()->default_value(""), "SELinux label")(
        "detach,d", po::bool_switch(), "do not wait")("pid-file", po::value<std::string>()->default_value(""),
                                                      "write the pid here")(
        "console-socket", po::value<std::string>()->default_value(""), "unix socket that receives the pty master")(
        "preserve-fds", po::value<int>()->default_value(0), "pass N fds after stdio")("ignore-paused", po::bool_switch(),
                                                                                      "accepted for compatibility");
    Parsed p = parse("exec", argv, d, true);
    lifecycle::ExecOptions o;
    o.process_file = p.vm["process"].as<std::string>();
    want_args(p, 1, o.process_file.empty() ? SIZE_MAX : 1,
              "exec [flags] <container-id> <command> [args...] | exec --process FILE <container-id>");
    o.id = p.args[0];
    o.args.assign(p.args.begin() + 1, p.args.end());
    o.tty = p.vm["tty"].as<bool>();
    o.cwd = p.vm["cwd"].as<std::string>();
    if (p.vm.count("env")) o.env = p.vm["env"].as<std::vector<std::string>>();
    o.user = p.vm["user"].as<std::string>();
    if (p.vm.count("additional-gids")) o.additional_gids = p.vm["additional-gids"].as<std::vector<uint32_t>>();
    if (p.vm.count("cap")) o.caps = p.vm["cap"].as<std::vector<std::string>>();
    o.no_new_privs = p.vm["no-new-privs"].as<bool>();
    o.apparmor = p.vm["apparmor"].as<std::string>();
    o.process_label = p.vm["process-label"].as<std::string>();
    o.detach = p.vm["detach"].as<bool>();
    o.pid_file = p.vm["pid-file"].as<std::string>();
    o.console_socket = p.vm["console-socket"].as<std::string>();
    o.preserve_fds = p.vm["preserve-fds"].as<int>();
    o.policy = g.load_policy();
    state::Store store = g.store();
    return lifecycle::exec(store, o);
}

}  // namespace docklock::cli
