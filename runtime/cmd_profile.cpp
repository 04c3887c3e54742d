// docklock profile apparmor DESC.yaml [--name N] [-o FILE] [--load]: an AppArmor profile from a
//   YAML description (apparmor/generate.hpp), printed, written or loaded with apparmor_parser -Kr.
// docklock profile record --bundle DIR [-o FILE] [--apply] [--merge A.json,B.json] [--format oci|docker]:
//   run the bundle's workload under a recording seccomp filter (seccomp/record.hpp) and write the
//   profile of the syscalls it made; --merge unions other profiles in, --apply writes it into the
//   bundle's config.json. Exit status: the workload's.
// docklock profile record [flags] -- CONTAINER-ID CMD...: the same for CMD exec'd into a running
//   container (its namespaces, cgroup and confinement, as `exec`); the container is left running.
//   --timeout: how long the workload may take to reach its execve before it is killed (default 5s).
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <optional>

#include "../apparmor/generate.hpp"
#include "../libcontainer/lifecycle/lifecycle.hpp"
#include "../libcontainer/lifecycle/tty_proxy.hpp"
#include "../libcontainer/util/error.hpp"
#include "../libcontainer/util/fs.hpp"
#include "../libcontainer/util/log.hpp"
#include "../seccomp/record.hpp"
#include "cli.hpp"

namespace docklock::cli {
namespace {

int apparmor_cmd(const Globals&, const std::vector<std::string>& argv) {
    po::options_description d("profile apparmor");
    d.add_options()("name,n", po::value<std::string>()->default_value(""), "the profile's name (overrides name:)")(
        "output,o", po::value<std::string>()->default_value(""), "write the profile here instead of stdout")(
        "load", po::bool_switch(), "load it into the kernel with apparmor_parser -Kr");
    Parsed p = parse("profile apparmor", argv, d);
    want_args(p, 1, 1, "profile apparmor DESC.yaml [--name NAME] [-o FILE] [--load]");
    apparmor::ProfileDesc desc = apparmor::parse_description(fs::read_file(p.args[0]), p.args[0]);
    if (std::string n = p.vm["name"].as<std::string>(); !n.empty()) desc.name = n;
    if (desc.name.empty()) throw Error(p.args[0] + ": name: required (or --name)");
    std::string text = apparmor::generate(desc);
    std::string out = p.vm["output"].as<std::string>();
    if (!out.empty()) fs::write_file_atomic(out, text, 0644);
    if (p.vm["load"].as<bool>()) {
        apparmor::load_profile(text, desc.name);
        std::cerr << "loaded AppArmor profile " << desc.name << "\n";
    } else if (out.empty()) {
        std::cout << text;
    }
    return 0;
}

// The names of the syscall numbers a recording saw, added to `names`.
void add_names(const std::set<int>& seen, std::set<std::string>& names) {
    for (int nr : seen) {
        std::string n = seccomp::syscall_name(nr);
        if (n.empty())
            log::warn("profile record: syscall " + std::to_string(nr) + " is unknown to libseccomp: left out");
        else
            names.insert(n);
    }
}

// Runs the bundle once under the recorder; adds the names of the syscalls seen to `names`.
int record_bundle(const Globals& g, const std::string& bundle, std::chrono::milliseconds timeout, std::set<std::string>& names) {
    lifecycle::CreateOptions o;
    o.id = "docklock-record-" + std::to_string(::getpid());
    o.bundle = bundle;
    o.systemd_cgroup = g.systemd_cgroup;
    o.policy = g.load_policy();
    o.record_syscalls = true;
    state::Store store = g.store();
    UniqueFd console;
    pid_t pid = lifecycle::create(store, o, &console);
    std::optional<seccomp::Recorder> rec;
    int code = 0;
    std::string failed;  // start's error; the recorder's own reason, when it has one, says more
    try {
        rec.emplace(pid, timeout);
        lifecycle::start(store, o.id);
        code = console ? lifecycle::proxy_tty_until_exit(console.get(), pid) : lifecycle::wait_exit_code(pid, true);
    } catch (const std::exception& e) {
        failed = e.what();
    }
    try {
        lifecycle::remove(store, o.id, true);
    } catch (...) {
        if (failed.empty()) throw;
    }
    bool attached = rec && rec->attached();
    std::set<int> seen;
    if (rec) seen = rec->finish();  // throws the recorder's reason (timeout, kernel error)
    if (!failed.empty()) throw Error("profile record: " + failed);
    if (!attached) throw Error("profile record: the recording filter never reported (was the workload started?)");
    add_names(seen, names);
    return code;
}

// Runs CMD in the running container `id` (as `exec` does) under the recorder.
int record_exec(const Globals& g, const std::string& id, const std::vector<std::string>& cmd, std::chrono::milliseconds timeout,
                std::set<std::string>& names) {
    lifecycle::ExecOptions o;
    o.id = id;
    o.args = cmd;
    o.policy = g.load_policy();
    o.record_syscalls = true;
    std::optional<seccomp::Recorder> rec;
    o.on_launched = [&](pid_t pid) { rec.emplace(pid, timeout); };
    state::Store store = g.store();
    int code = lifecycle::exec(store, o);
    if (!rec) throw Error("profile record: the exec'd process was not started");
    bool attached = rec->attached();
    std::set<int> seen = rec->finish();
    if (!attached) throw Error("profile record: the recording filter never reported (did the command start?)");
    add_names(seen, names);
    return code;
}

int record_cmd(const Globals& g, const std::vector<std::string>& argv) {
    po::options_description d("profile record");
    d.add_options()("bundle,b", po::value<std::string>()->default_value(""), "bundle whose workload is recorded")(
        "output,o", po::value<std::string>()->default_value(""), "write the profile here (default stdout)")(
        "apply", po::bool_switch(), "write the profile into the bundle's config.json as linux.seccomp")(
        "merge", po::value<std::string>()->default_value(""), "comma-separated profiles whose allowed syscalls are added")(
        "format,f", po::value<std::string>()->default_value("oci"), "oci (linux.seccomp) or docker")(
        "timeout", po::value<double>()->default_value(5), "seconds to wait for the workload to reach its execve");
    Parsed p = parse("profile record", argv, d, true);
    const std::string usage =
        "profile record [--bundle DIR | -- CONTAINER-ID CMD...] [-o FILE] [--apply] [--merge A.json,B.json] "
        "[--format oci|docker] [--timeout SECONDS]";
    if (p.args.size() == 1) throw Error("usage: docklock " + usage + " (a command to exec after the container id)");
    std::string bundle = p.vm["bundle"].as<std::string>(), merge = p.vm["merge"].as<std::string>();
    std::string fmt = p.vm["format"].as<std::string>(), out = p.vm["output"].as<std::string>();
    bool apply = p.vm["apply"].as<bool>();
    double secs = p.vm["timeout"].as<double>();
    bool exec_mode = !p.args.empty();
    if (fmt != "oci" && fmt != "docker") throw Error("profile record: --format must be oci or docker");
    if (!(secs > 0 && secs <= 3600)) throw Error("profile record: --timeout must be between 0 and 3600 seconds");
    if (bundle.empty() && merge.empty() && !exec_mode)
        throw Error("usage: docklock " + usage + " (--bundle, a container, or --merge alone)");
    if (exec_mode && !bundle.empty()) throw Error("profile record: --bundle or a container id, not both");
    if (apply && bundle.empty()) throw Error("profile record: --apply needs --bundle");
    auto timeout = std::chrono::milliseconds(static_cast<long>(secs * 1000));

    std::set<std::string> names;
    int code = 0;
    if (!bundle.empty() || exec_mode) {
        code = exec_mode ? record_exec(g, p.args[0], {p.args.begin() + 1, p.args.end()}, timeout, names)
                         : record_bundle(g, bundle, timeout, names);
        std::cerr << "profile record: " << names.size() << " syscalls recorded; the workload exited " << code << "\n";
    }
    for (size_t i = 0; i < merge.size();) {
        size_t j = merge.find(',', i);
        if (j == std::string::npos) j = merge.size();
        std::string f = merge.substr(i, j - i);
        i = j + 1;
        if (f.empty()) continue;
        nlohmann::json pj = nlohmann::json::parse(fs::read_file(f), nullptr, false);
        if (pj.is_discarded()) throw Error(f + ": not valid JSON");
        auto more = seccomp::allowed_names(pj, f);
        names.insert(more.begin(), more.end());
    }
    spec::Seccomp prof = seccomp::profile_of(names);
    nlohmann::json pj = fmt == "docker" ? seccomp::docker_format(prof) : spec::to_json(prof);
    if (apply) {
        std::string cfg = bundle + "/config.json";
        nlohmann::json c = nlohmann::json::parse(fs::read_file(cfg), nullptr, false);
        if (c.is_discarded() || !c.is_object()) throw Error(cfg + ": not valid JSON");
        c["linux"]["seccomp"] = spec::to_json(prof);
        fs::write_file_atomic(cfg, c.dump(2) + "\n", 0644);
        std::cerr << "profile record: wrote linux.seccomp into " << cfg << "\n";
    }
    if (!out.empty())
        fs::write_file_atomic(out, pj.dump(2) + "\n", 0644);
    else if (!apply)
        std::cout << pj.dump(2) << "\n";
    return code;
}

}  // namespace

int cmd_profile(const Globals& g, const std::vector<std::string>& argv) {
    if (argv.empty()) throw Error("usage: docklock profile apparmor|record ...");
    if (argv[0] == "--help" || argv[0] == "-h" || argv[0] == "-help") {
        std::cout << "usage: docklock profile apparmor|record [flags]\n\n";
        for (const char* sub : {"apparmor", "record"}) {
            const Usage* u = usage_of(std::string("profile ") + sub);
            std::cout << "  docklock profile " << sub << " " << u->args << "\n      " << u->summary << "\n";
        }
        std::cout << "\n`docklock profile SUBCOMMAND --help` shows its flags.\n";
        return 0;
    }
    std::vector<std::string> rest(argv.begin() + 1, argv.end());
    if (argv[0] == "apparmor") return apparmor_cmd(g, rest);
    if (argv[0] == "record") return record_cmd(g, rest);
    throw Error("profile: unknown subcommand \"" + argv[0] + "\" (apparmor or record)");
}

}  // namespace docklock::cli
