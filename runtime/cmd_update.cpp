#include <iostream>
#include <iterator>

#include "../libcontainer/lifecycle/lifecycle.hpp"
#include "../libcontainer/util/error.hpp"
#include "../libcontainer/util/fs.hpp"
#include "cli.hpp"

namespace docklock::cli {
namespace {

// "64m", "1g", "1024": bytes, as runc's --memory takes them. -1 means unlimited.
int64_t bytes(const std::string& flag, const std::string& v) {
    try {
        size_t end = 0;
        double n = std::stod(v, &end);
        std::string unit = v.substr(end);
        for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (!unit.empty() && unit.back() == 'b') unit.pop_back();
        double mul = unit.empty()  ? 1
                     : unit == "k" ? 1024.0
                     : unit == "m" ? 1048576.0
                     : unit == "g" ? 1073741824.0
                     : unit == "t" ? 1099511627776.0
                                   : -1;
        if (mul < 0) throw std::invalid_argument(unit);
        return static_cast<int64_t>(n * mul);
    } catch (const std::exception&) {
        throw Error("update: " + flag + " \"" + v + "\": expected a number of bytes (k, m, g suffixes allowed)");
    }
}

int64_t integer(const std::string& flag, const std::string& v) {
    try {
        return std::stoll(v);
    } catch (const std::exception&) {
        throw Error("update: " + flag + " \"" + v + "\": expected an integer");
    }
}

}  // namespace

int cmd_update(const Globals& g, const std::vector<std::string>& argv) {
    po::options_description d("update");
    for (const char* f : {"resources,r", "memory", "memory-reservation", "memory-swap", "kernel-memory", "kernel-memory-tcp",
                          "pids-limit", "cpu-quota", "cpu-period", "cpu-shares", "cpu-rt-period", "cpu-rt-runtime", "cpuset-cpus",
                          "cpuset-mems", "blkio-weight"})
        d.add_options()(f, po::value<std::string>(), "");
    Parsed p = parse("update", argv, d);
    want_args(p, 1, 1, "update [--resources FILE|-] [--memory N] [--pids-limit N] [--cpu-quota N] ... <container-id>");
    auto has = [&](const char* k) { return p.vm.count(k) > 0; };
    auto val = [&](const char* k) { return p.vm[k].as<std::string>(); };
    spec::Resources r;
    if (has("resources")) {
        std::string f = val("resources");
        std::string text = f == "-" ? std::string(std::istreambuf_iterator<char>(std::cin), {}) : fs::read_file(f);
        r = spec::parse_resources(text, f == "-" ? "stdin" : f);
    }
    if (has("memory") || has("memory-reservation") || has("memory-swap")) {
        spec::Memory m = r.memory.value_or(spec::Memory{});
        if (has("memory")) m.limit = bytes("--memory", val("memory"));
        if (has("memory-reservation")) m.reservation = bytes("--memory-reservation", val("memory-reservation"));
        if (has("memory-swap")) m.swap = bytes("--memory-swap", val("memory-swap"));
        r.memory = m;
    }
    if (has("pids-limit")) r.pidsLimit = integer("--pids-limit", val("pids-limit"));
    if (has("cpu-quota") || has("cpu-period") || has("cpu-shares") || has("cpuset-cpus") || has("cpuset-mems") ||
        has("cpu-rt-period") || has("cpu-rt-runtime")) {
        spec::Cpu c = r.cpu.value_or(spec::Cpu{});
        if (has("cpu-quota")) c.quota = integer("--cpu-quota", val("cpu-quota"));
        if (has("cpu-period")) c.period = static_cast<uint64_t>(integer("--cpu-period", val("cpu-period")));
        if (has("cpu-shares")) c.shares = static_cast<uint64_t>(integer("--cpu-shares", val("cpu-shares")));
        if (has("cpu-rt-period")) c.realtimePeriod = static_cast<uint64_t>(integer("--cpu-rt-period", val("cpu-rt-period")));
        if (has("cpu-rt-runtime")) c.realtimeRuntime = integer("--cpu-rt-runtime", val("cpu-rt-runtime"));
        if (has("cpuset-cpus")) c.cpus = val("cpuset-cpus");
        if (has("cpuset-mems")) c.mems = val("cpuset-mems");
        r.cpu = c;
    }
    if (has("blkio-weight")) {
        spec::BlockIO b = r.blockIO.value_or(spec::BlockIO{});
        b.weight = static_cast<uint16_t>(integer("--blkio-weight", val("blkio-weight")));
        r.blockIO = b;
    }
    state::Store store = g.store();
    lifecycle::update(store, p.args[0], r);
    return 0;
}

}  // namespace docklock::cli
