#include "cli.hpp"

#include <cstdlib>
#include <iostream>
#include <map>

#include "../libcontainer/util/error.hpp"

namespace docklock::cli {

policy::Policy Globals::load_policy() const {
    return policy::resolve(policy, std::getenv("DOCKLOCK_POLICY"));
}

namespace {

const std::vector<std::pair<std::string, Usage>>& usages() {
    static const std::vector<std::pair<std::string, Usage>> u{
        {"create", {"[flags] <container-id>", "create a container from a bundle; its process waits for `start`"}},
        {"start", {"<container-id>", "start the process of a created container"}},
        {"run", {"[flags] <container-id>", "create and start a container, and wait for it unless --detach"}},
        {"state", {"<container-id>", "print the OCI state of a container"}},
        {"kill", {"[--all] <container-id> [signal]", "send a signal (default SIGTERM) to the container's init"}},
        {"delete", {"[--force] <container-id>", "delete a stopped container (--force: a running one too)"}},
        {"list", {"[--format table|json] [--quiet]", "list the containers of --root"}},
        {"spec", {"[--bundle DIR] [--rootless]", "write a template config.json"}},
        {"exec", {"[flags] <container-id> <command> [args...]", "run a process in a running container"}},
        {"features", {"", "print what this runtime supports (runtime-spec features document)"}},
        {"pause", {"<container-id>", "freeze every process of a container"}},
        {"resume", {"<container-id>", "thaw a paused container"}},
        {"ps", {"[--format table|json] <container-id> [ps options]", "list the processes of a container"}},
        {"update", {"[flags] <container-id>", "change the resource limits of a running container"}},
        {"events", {"[--stats] [--interval 5s] <container-id>", "print a container's events or stats"}},
        {"policy show", {"[--format yaml|json]", "print the policy in force"}},
        {"policy check", {"CONFIG|--bundle DIR [--format table|json] [--host FILE]",
                          "what the policy would change or refuse in a config.json, without running it"}},
        {"findings", {"<container-id>", "what the policy changed or refused for a container"}},
        {"audit", {"CONFIG|--bundle DIR|<container-id>|--all [flags]", "CIS Docker Benchmark section 5 over a config"}},
        {"profile apparmor", {"DESC.yaml [--name NAME] [-o FILE] [--load]", "an AppArmor profile from a short description"}},
        {"profile record", {"[flags] (--bundle DIR <id> | <id> -- CMD...)", "record a seccomp profile from a workload"}},
    };
    return u;
}

}  // namespace

const Usage* usage_of(const std::string& cmd) {
    for (const auto& [name, u] : usages())
        if (name == cmd) return &u;
    return nullptr;
}

std::vector<std::string> command_names() {
    std::vector<std::string> out;
    for (const auto& [name, u] : usages()) out.push_back(name);
    return out;
}

static bool is_help(const std::string& a) {
    return a == "--help" || a == "-h" || a == "-help";
}

Parsed parse(const std::string& cmd, const std::vector<std::string>& argv, const po::options_description& desc,
             bool stop_at_positional) {
    // Which spellings take a value: "--bundle", "-b".
    std::map<std::string, bool> takes;
    for (const auto& o : desc.options()) {
        bool v = o->semantic()->max_tokens() > 0;
        takes["--" + o->long_name()] = v;
        std::string s = o->canonical_display_name(po::command_line_style::allow_dash_for_short);
        if (s.size() == 2 && s[0] == '-') takes[s] = v;
    }
    std::vector<std::string> opts;
    Parsed out;
    for (size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (a == "--") {
            out.args.insert(out.args.end(), argv.begin() + static_cast<long>(i) + 1, argv.end());
            break;
        }
        if (a.size() > 1 && a[0] == '-' && !(stop_at_positional && !out.args.empty())) {
            if (is_help(a)) {
                const Usage* u = usage_of(cmd);
                std::cout << "usage: docklock " << cmd << (u && *u->args ? std::string(" ") + u->args : std::string()) << "\n";
                if (u) std::cout << "\n" << u->summary << "\n";
                std::cout << "\n" << desc << "  -h [ --help ]         this help\n";
                throw HelpShown{};
            }
            std::string name = a.substr(0, a.find('='));
            if (name.size() > 2 && name[1] != '-') name = "--" + name.substr(1);  // -bundle, as urfave/cli allows
            if (name.size() == 3 && name[0] == '-' && name[1] == '-' && takes.count(name.substr(1))) name = name.substr(1);
            auto it = takes.find(name);
            if (it == takes.end()) throw Error(cmd + ": unknown flag " + a);
            opts.push_back(name + (a.find('=') != std::string::npos ? a.substr(a.find('=')) : ""));
            if (it->second && a.find('=') == std::string::npos) {
                if (i + 1 >= argv.size()) throw Error(cmd + ": flag " + a + " needs a value");
                opts.push_back(argv[++i]);
            }
            continue;
        }
        out.args.push_back(a);
    }
    try {
        po::store(po::command_line_parser(opts).options(desc).style(po::command_line_style::default_style).run(), out.vm);
        po::notify(out.vm);
    } catch (const po::error& e) {
        throw Error(cmd + ": " + e.what());
    }
    return out;
}

void want_args(const Parsed& p, size_t min, size_t max, const std::string& usage) {
    if (p.args.size() < min || p.args.size() > max) throw Error("usage: docklock " + usage);
}

}  // namespace docklock::cli
