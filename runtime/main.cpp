// docklock: entry point. Global flags come before the command, as with runc.
#include <signal.h>

#include <algorithm>
#include <cstring>
#include <iostream>
#include <map>

#include "../libcontainer/process/exe_guard.hpp"
#include "../libcontainer/util/error.hpp"
#include "../libcontainer/util/log.hpp"
#include "../seccomp/compile.hpp"
#include "cli.hpp"
#include "version.hpp"

using namespace docklock;

namespace {

const std::map<std::string, cli::Command>& commands() {
    static const std::map<std::string, cli::Command> m{
        {"create", cli::cmd_create}, {"start", cli::cmd_start},       {"run", cli::cmd_run},      {"state", cli::cmd_state},
        {"kill", cli::cmd_kill},     {"delete", cli::cmd_delete},     {"list", cli::cmd_list},    {"spec", cli::cmd_spec},
        {"exec", cli::cmd_exec},     {"features", cli::cmd_features}, {"pause", cli::cmd_pause},  {"resume", cli::cmd_resume},
        {"ps", cli::cmd_ps},         {"update", cli::cmd_update},     {"events", cli::cmd_events},
        {"policy", cli::cmd_policy}, {"findings", cli::cmd_findings},
        {"audit", cli::cmd_audit},   {"profile", cli::cmd_profile}};
    return m;
}

void usage() {
    std::cout << "docklock: a hardened OCI container runtime (runc-compatible CLI)\n\n"
                 "usage: docklock [global flags] COMMAND [flags] [args]\n\n"
                 "global flags:\n"
                 "  --root DIR            state directory (default /run/docklock)\n"
                 "  --log FILE            log file (default stderr)\n"
                 "  --log-format text|json\n"
                 "  --debug               debug logging\n"
                 "  --systemd-cgroup      use the systemd cgroup driver\n"
                 "  --policy PATH|off|builtin  hardening policy (admin-level; default: $DOCKLOCK_POLICY,\n"
                 "                        /etc/docklock/policy.yaml, else the builtin baseline)\n"
                 "  --version, -v         print the version\n\n"
                 "commands:\n";
    for (const auto& name : cli::command_names()) {
        const cli::Usage* u = cli::usage_of(name);
        std::string n = name;
        n.resize(std::max<size_t>(n.size() + 1, 18), ' ');
        std::cout << "  " << n << u->summary << "\n";
    }
    std::cout << "\n`docklock COMMAND --help` (or `docklock help COMMAND`) shows a command's flags.\n";
}

void print_version() {
    std::cout << "docklock version " << DOCKLOCK_VERSION << "\ncommit: " << DOCKLOCK_COMMIT
              << "\nspec: 1.2.0\nlibseccomp: " << seccomp::library_version() << "\n";
}

}  // namespace

int main(int argc, char** argv) {
    cli::Globals g;
    std::vector<std::string> args(argv + 1, argv + argc);
    size_t i = 0;
    auto value = [&](const std::string& a, const std::string& flag) -> std::string {
        if (a.size() > flag.size() && a[flag.size()] == '=') return a.substr(flag.size() + 1);
        if (i + 1 >= args.size()) throw Error("flag " + flag + " needs a value");
        return args[++i];
    };
    auto is = [](const std::string& a, const std::string& flag) {
        return a == flag || a.rfind(flag + "=", 0) == 0 || (a.size() > 1 && a[0] == '-' && a[1] != '-' && ("-" + a) == flag) ||
               (a[0] == '-' && a[1] != '-' && ("-" + a).rfind(flag + "=", 0) == 0);
    };
    try {
        for (; i < args.size(); ++i) {
            const std::string& a = args[i];
            if (a.empty() || a[0] != '-') break;
            if (a == "--version" || a == "-v") {
                print_version();
                return 0;
            }
            if (a == "--help" || a == "-h") {
                usage();
                return 0;
            }
            if (is(a, "--root"))
                g.root = value(a, "--root");
            else if (is(a, "--log"))
                g.log = value(a, "--log");
            else if (is(a, "--log-format"))
                g.log_format = value(a, "--log-format");
            else if (is(a, "--policy"))
                g.policy = value(a, "--policy");
            else if (is(a, "--criu") || is(a, "--rootless"))
                (void)value(a, a.substr(0, a.find('=')));
            else if (a == "--debug")
                g.debug = true;
            else if (a == "--systemd-cgroup")
                g.systemd_cgroup = true;
            else
                throw Error("unknown global flag " + a);
        }
        if (g.log_format != "text" && g.log_format != "json")
            throw Error("--log-format: must be text or json, not \"" + g.log_format + "\"");
        log::configure(g.log, g.log_format == "json", g.debug);
        seccomp::set_cache(g.root + "/seccomp-cache", DOCKLOCK_VERSION " " DOCKLOCK_COMMIT);  // compiled BPF, by profile
        if (i >= args.size()) {
            usage();
            return 1;
        }
        std::string cmd = args[i];
        // Commands that put a docklock process into a container run from a read-only mount of the
        // binary (CVE-2019-5736); the others never share a namespace with a container.
        if (cmd == "create" || cmd == "run" || cmd == "exec" || cmd == "profile") process::reexec_from_read_only_binary(argv);
        if (cmd == "help") {  // docklock help [COMMAND [SUBCOMMAND]]: the command's own --help
            std::vector<std::string> rest(args.begin() + static_cast<long>(i) + 1, args.end());
            if (rest.empty()) {
                usage();
                return 0;
            }
            auto c = commands().find(rest[0]);
            if (c == commands().end()) throw Error("help: unknown command \"" + rest[0] + "\"");
            std::vector<std::string> sub(rest.begin() + 1, rest.end());
            sub.push_back("--help");
            return c->second(g, sub);
        }
        if (cmd == "version") {
            print_version();
            return 0;
        }
        auto it = commands().find(cmd);
        if (it == commands().end()) throw Error("unknown command \"" + cmd + "\"");
        return it->second(g, std::vector<std::string>(args.begin() + static_cast<long>(i) + 1, args.end()));
    } catch (const cli::HelpShown&) {
        return 0;
    } catch (const std::exception& e) {
        log::error(e.what());
        if (!g.log.empty()) std::cerr << "docklock: " << e.what() << "\n";
        return 1;
    }
}
