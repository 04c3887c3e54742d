// Shared CLI plumbing: global flags and the per-command argv parser (Boost.Program_options).
#pragma once
#include <boost/program_options.hpp>
#include <string>
#include <vector>

#include "../libcontainer/policy/policy.hpp"
#include "../libcontainer/state/state.hpp"

namespace docklock::cli {

namespace po = boost::program_options;

struct Globals {
    std::string root = "/run/docklock", log, log_format = "text", policy;
    bool debug = false, systemd_cgroup = false;
    policy::Policy load_policy() const;
    state::Store store() const { return state::Store(root); }
};

struct Parsed {
    po::variables_map vm;
    std::vector<std::string> args;  // positionals
};

// Thrown by parse() after it printed a command's help (--help or -h): the command exits 0.
struct HelpShown {};

// The usage line and one-line summary of a command ("create", "policy check"), for its --help.
struct Usage {
    const char* args;
    const char* summary;
};
const Usage* usage_of(const std::string& cmd);
// Every command and subcommand name usage_of knows, in the order `docklock help` lists them.
std::vector<std::string> command_names();

// Options and positionals may interleave unless stop_at_positional (exec: the command's own flags follow).
// --help or -h among the options prints the command's usage and its flags (from `desc`, the same
// definitions it parses with) and throws HelpShown.
Parsed parse(const std::string& cmd, const std::vector<std::string>& argv, const po::options_description& desc,
             bool stop_at_positional = false);

// Positional count check with a usage line in the error.
void want_args(const Parsed& p, size_t min, size_t max, const std::string& usage);

using Command = int (*)(const Globals&, const std::vector<std::string>&);
int cmd_create(const Globals&, const std::vector<std::string>&);
int cmd_start(const Globals&, const std::vector<std::string>&);
int cmd_run(const Globals&, const std::vector<std::string>&);
int cmd_state(const Globals&, const std::vector<std::string>&);
int cmd_kill(const Globals&, const std::vector<std::string>&);
int cmd_delete(const Globals&, const std::vector<std::string>&);
int cmd_list(const Globals&, const std::vector<std::string>&);
int cmd_spec(const Globals&, const std::vector<std::string>&);
int cmd_exec(const Globals&, const std::vector<std::string>&);
int cmd_features(const Globals&, const std::vector<std::string>&);
int cmd_pause(const Globals&, const std::vector<std::string>&);
int cmd_resume(const Globals&, const std::vector<std::string>&);
int cmd_ps(const Globals&, const std::vector<std::string>&);
int cmd_update(const Globals&, const std::vector<std::string>&);
int cmd_events(const Globals&, const std::vector<std::string>&);
int cmd_policy(const Globals&, const std::vector<std::string>&);    // cmd_policy.cpp: show, check
int cmd_findings(const Globals&, const std::vector<std::string>&);
int cmd_audit(const Globals&, const std::vector<std::string>&);    // cmd_audit.cpp: CIS Docker Benchmark section 5
int cmd_profile(const Globals&, const std::vector<std::string>&);  // cmd_profile.cpp: apparmor, record

}  // namespace docklock::cli
