#include "cli.hpp"

#include <cstdlib>
#include <map>

#include "../libcontainer/util/error.hpp"

namespace docklock::cli {

policy::Policy Globals::load_policy() const {
    return policy::resolve(policy, std::getenv("DOCKLOCK_POLICY"));
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
