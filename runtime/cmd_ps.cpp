#include <iostream>
#include <sstream>

#include "../libcontainer/lifecycle/lifecycle.hpp"
#include "../libcontainer/util/error.hpp"
#include "cli.hpp"

namespace docklock::cli {

// As runc: json is the list of pids; table runs ps(1) with the given args and keeps the container's rows.
int cmd_ps(const Globals& g, const std::vector<std::string>& argv) {
    po::options_description d("ps");
    d.add_options()("format,f", po::value<std::string>()->default_value("table"), "table or json");
    Parsed p = parse("ps", argv, d, true);
    want_args(p, 1, SIZE_MAX, "ps [--format table|json] <container-id> [ps options]");
    state::Store store = g.store();
    std::vector<pid_t> pids = lifecycle::pids(store, p.args[0]);
    std::string fmt = p.vm["format"].as<std::string>();
    if (fmt == "json") {
        std::cout << nlohmann::json(pids).dump() << "\n";
        return 0;
    }
    if (fmt != "table") throw Error("ps: --format must be table or json");
    std::string cmd = "ps";
    if (p.args.size() == 1) cmd += " -ef";
    for (size_t i = 1; i < p.args.size(); ++i) cmd += " '" + p.args[i] + "'";
    FILE* f = ::popen(cmd.c_str(), "r");
    if (!f) throw Error("ps: cannot run ps");
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    if (::pclose(f) != 0) throw Error("ps: " + cmd + " failed");
    std::istringstream in(out);
    std::string header, line;
    std::getline(in, header);
    std::istringstream hs(header);
    std::string col;
    int pid_col = -1, i = 0;
    while (hs >> col) {
        if (col == "PID") pid_col = i;
        ++i;
    }
    if (pid_col < 0) throw Error("ps: no PID column in the output of " + cmd);
    std::cout << header << "\n";
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string f2;
        for (int k = 0; k <= pid_col; ++k) ls >> f2;
        try {
            pid_t pid = std::stoi(f2);
            for (pid_t q : pids)
                if (q == pid) std::cout << line << "\n";
        } catch (const std::exception&) {
        }
    }
    return 0;
}

}  // namespace docklock::cli
