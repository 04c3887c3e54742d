#include "resources.hpp"
#include "devices_bpf.hpp"

#include <cmath>

#include "../util/error.hpp"
#include "../util/fs.hpp"

namespace docklock::cgroups {
namespace {

// The four blockIO throttle lists, with their v1 file and v2 io.max key.
struct Throttle {
    std::vector<spec::ThrottleDevice> spec::BlockIO::*list;
    const char *name, *v1_file, *v2_key;
};
const Throttle kThrottles[] = {
    {&spec::BlockIO::throttleReadBpsDevice, "throttleReadBpsDevice", "blkio.throttle.read_bps_device", "rbps"},
    {&spec::BlockIO::throttleWriteBpsDevice, "throttleWriteBpsDevice", "blkio.throttle.write_bps_device", "wbps"},
    {&spec::BlockIO::throttleReadIOPSDevice, "throttleReadIOPSDevice", "blkio.throttle.read_iops_device", "riops"},
    {&spec::BlockIO::throttleWriteIOPSDevice, "throttleWriteIOPSDevice", "blkio.throttle.write_iops_device", "wiops"},
};

std::string throttle_field(const Throttle& t, size_t i) {
    return std::string("linux.resources.blockIO.") + t.name + "[" + std::to_string(i) + "]";
}

std::string device(int64_t major, int64_t minor) {
    return std::to_string(major) + ":" + std::to_string(minor);
}

// Write one value; an error names the spec field and the file.
void put(const std::string& dir, const char* file, const std::string& value, const char* field) {
    if (dir.empty()) throw Error(std::string(field) + ": the controller for " + file + " is not available on this host");
    std::string path = fs::join(dir, file);
    try {
        fs::write_file(path, value);
    } catch (const Error& e) {
        throw Error(std::string(field) + ": cannot set " + path + " to " + value + ": " + e.what());
    }
}

std::string dev_rule(const spec::DeviceRule& d) {
    std::string t = d.type.empty() ? "a" : d.type;
    auto num = [](const std::optional<int64_t>& v) { return v && *v >= 0 ? std::to_string(*v) : std::string("*"); };
    if (t == "a") return "a";
    return t + " " + num(d.major) + ":" + num(d.minor) + " " + (d.access.empty() ? "rwm" : d.access);
}

// What every container may use whatever the spec's rules say, as runc and crun append: mknod of
// any node (opening is still ruled), the default /dev nodes, the pty master and its peers.
std::vector<spec::DeviceRule> default_device_rules() {
    auto c = [](std::optional<int64_t> maj, std::optional<int64_t> min, const char* acc) {
        return spec::DeviceRule{true, "c", maj, min, acc};
    };
    return {c(std::nullopt, std::nullopt, "m"),
            spec::DeviceRule{true, "b", std::nullopt, std::nullopt, "m"},
            c(1, 3, "rwm"),
            c(1, 5, "rwm"),
            c(1, 7, "rwm"),
            c(1, 8, "rwm"),
            c(1, 9, "rwm"),
            c(5, 0, "rwm"),
            c(5, 1, "rwm"),
            c(5, 2, "rwm"),
            c(136, std::nullopt, "rwm")};
}

void apply_v1(const Manager& m, const spec::Resources& r) {
    if (r.memory) {
        std::string mem = m.dir_of("memory");
        const auto& x = *r.memory;
        // memory.memsw.limit_in_bytes may never be below memory.limit_in_bytes: raise swap first when growing.
        bool has_memsw = fs::exists(fs::join(mem, "memory.memsw.limit_in_bytes"));
        auto set_limit = [&] {
            if (x.limit) put(mem, "memory.limit_in_bytes", std::to_string(*x.limit), "linux.resources.memory.limit");
        };
        auto set_swap = [&] {
            if (x.swap && has_memsw)
                put(mem, "memory.memsw.limit_in_bytes", std::to_string(*x.swap), "linux.resources.memory.swap");
        };
        std::string cur;
        if (has_memsw) fs::read_file_if_exists(fs::join(mem, "memory.memsw.limit_in_bytes"), cur);
        bool grow = x.swap && (*x.swap < 0 || (!cur.empty() && std::stoull(cur) < static_cast<uint64_t>(*x.swap)));
        if (grow) {
            set_swap();
            set_limit();
        } else {
            set_limit();
            set_swap();
        }
        if (x.reservation)
            put(mem, "memory.soft_limit_in_bytes", std::to_string(*x.reservation), "linux.resources.memory.reservation");
        if (x.swappiness && *x.swappiness <= 100)
            put(mem, "memory.swappiness", std::to_string(*x.swappiness), "linux.resources.memory.swappiness");
        if (x.kernel) {
            // Linux 5.16+ accepts the write and ignores it: read back, and refuse what is not honoured.
            put(mem, "memory.kmem.limit_in_bytes", std::to_string(*x.kernel), "linux.resources.memory.kernel");
            std::string back;
            fs::read_file_if_exists(fs::join(mem, "memory.kmem.limit_in_bytes"), back);
            if (*x.kernel > 0 && back.rfind(std::to_string(*x.kernel), 0) != 0)
                throw Error(
                    "linux.resources.memory.kernel: this kernel does not enforce kernel memory limits (deprecated since Linux "
                    "5.16)");
        }
        if (x.kernelTCP)
            put(mem, "memory.kmem.tcp.limit_in_bytes", std::to_string(*x.kernelTCP), "linux.resources.memory.kernelTCP");
        if (x.disableOOMKiller && *x.disableOOMKiller)
            put(mem, "memory.oom_control", "1", "linux.resources.memory.disableOOMKiller");
    }
    if (r.pidsLimit)
        put(m.dir_of("pids"), "pids.max", *r.pidsLimit <= 0 ? "max" : std::to_string(*r.pidsLimit), "linux.resources.pids.limit");
    if (r.cpu) {
        std::string cpu = m.dir_of("cpu"), cs = m.dir_of("cpuset");
        const auto& c = *r.cpu;
        if (c.shares && *c.shares) put(cpu, "cpu.shares", std::to_string(*c.shares), "linux.resources.cpu.shares");
        if (c.period && *c.period) put(cpu, "cpu.cfs_period_us", std::to_string(*c.period), "linux.resources.cpu.period");
        if (c.quota && *c.quota) put(cpu, "cpu.cfs_quota_us", std::to_string(*c.quota), "linux.resources.cpu.quota");
        if (c.realtimePeriod && *c.realtimePeriod)
            put(cpu, "cpu.rt_period_us", std::to_string(*c.realtimePeriod), "linux.resources.cpu.realtimePeriod");
        if (c.realtimeRuntime && *c.realtimeRuntime)
            put(cpu, "cpu.rt_runtime_us", std::to_string(*c.realtimeRuntime), "linux.resources.cpu.realtimeRuntime");
        if (!c.cpus.empty()) put(cs, "cpuset.cpus", c.cpus, "linux.resources.cpu.cpus");
        if (!c.mems.empty()) put(cs, "cpuset.mems", c.mems, "linux.resources.cpu.mems");
    }
    if (r.blockIO && r.blockIO->weight && *r.blockIO->weight) {  // 0 means unset (Docker sends it)
        std::string blk = m.dir_of("blkio");
        const char* file = fs::exists(fs::join(blk, "blkio.weight")) ? "blkio.weight" : "blkio.bfq.weight";
        put(blk, file, std::to_string(*r.blockIO->weight), "linux.resources.blockIO.weight");
    }
    if (r.blockIO) {
        std::string blk = m.dir_of("blkio");
        const auto& b = *r.blockIO;
        bool bfq = !fs::exists(fs::join(blk, "blkio.weight"));
        for (size_t i = 0; i < b.weightDevice.size(); ++i) {
            const auto& w = b.weightDevice[i];
            if (!w.weight) continue;
            std::string field = "linux.resources.blockIO.weightDevice[" + std::to_string(i) + "]";
            put(blk, bfq ? "blkio.bfq.weight_device" : "blkio.weight_device",
                device(w.major, w.minor) + " " + std::to_string(*w.weight), field.c_str());
        }
        for (const auto& t : kThrottles)
            for (size_t i = 0; i < (b.*t.list).size(); ++i) {
                const auto& d = (b.*t.list)[i];
                put(blk, t.v1_file, device(d.major, d.minor) + " " + std::to_string(d.rate), throttle_field(t, i).c_str());
            }
    }
    for (size_t i = 0; i < r.hugepageLimits.size(); ++i) {
        const auto& h = r.hugepageLimits[i];
        std::string field = "linux.resources.hugepageLimits[" + std::to_string(i) + "]";
        put(m.dir_of("hugetlb"), ("hugetlb." + h.pageSize + ".limit_in_bytes").c_str(), std::to_string(h.limit), field.c_str());
    }
    if (r.network) {
        if (r.network->classID)
            put(m.dir_of("net_cls"), "net_cls.classid", std::to_string(*r.network->classID), "linux.resources.network.classID");
        for (size_t i = 0; i < r.network->priorities.size(); ++i) {
            const auto& pr = r.network->priorities[i];
            std::string field = "linux.resources.network.priorities[" + std::to_string(i) + "]";
            put(m.dir_of("net_prio"), "net_prio.ifpriomap", pr.name + " " + std::to_string(pr.priority), field.c_str());
        }
    }
    // Written in order: create's deny "a" first (with_default_deny) resets the cgroup to deny-all without
    // exceptions; the kernel refuses that once the cgroup has children, and create writes it before any.
    if (!r.devices.empty()) {
        std::string dev = m.dir_of("devices");
        for (size_t i = 0; i < r.devices.size(); ++i) {
            const auto& d = r.devices[i];
            std::string field = "linux.resources.devices[" + std::to_string(i) + "]";
            put(dev, d.allow ? "devices.allow" : "devices.deny", dev_rule(d), field.c_str());
        }
        for (const auto& d : default_device_rules()) put(dev, "devices.allow", dev_rule(d), "linux.resources.devices (defaults)");
    }
}

}  // namespace

// cpu.shares (2..262144, default 1024) -> cpu.weight (1..10000, default 100): the log-quadratic map
// crun and runc use, which keeps the defaults aligned (1024 -> 100) and the ends fixed (2 -> 1, 262144 -> 10000).
uint64_t shares_to_weight(uint64_t shares) {
    if (shares == 0) return 0;
    if (shares <= 2) return 1;
    if (shares >= 262144) return 10000;
    double l = std::log2(static_cast<double>(shares));
    double exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
    return static_cast<uint64_t>(std::ceil(std::pow(10.0, exponent)));
}

namespace {

void apply_v2(const Manager& m, const spec::Resources& r) {
    std::string dir = m.unified_dir();
    if (r.memory) {
        const auto& x = *r.memory;
        auto v = [](int64_t n) { return n < 0 ? std::string("max") : std::to_string(n); };
        if (x.limit) put(dir, "memory.max", v(*x.limit), "linux.resources.memory.limit");
        if (x.reservation) put(dir, "memory.low", v(*x.reservation), "linux.resources.memory.reservation");
        if (x.swap && x.limit && *x.swap >= 0 && *x.limit >= 0)
            put(dir, "memory.swap.max", std::to_string(*x.swap - *x.limit), "linux.resources.memory.swap");
    }
    if (r.pidsLimit) put(dir, "pids.max", *r.pidsLimit <= 0 ? "max" : std::to_string(*r.pidsLimit), "linux.resources.pids.limit");
    if (r.cpu) {
        const auto& c = *r.cpu;
        if (c.shares && *c.shares) {
            put(dir, "cpu.weight", std::to_string(shares_to_weight(*c.shares)), "linux.resources.cpu.shares");
        }
        if ((c.quota && *c.quota) || (c.period && *c.period)) {
            std::string q = c.quota && *c.quota > 0 ? std::to_string(*c.quota) : "max";
            put(dir, "cpu.max", q + " " + std::to_string(c.period.value_or(100000)), "linux.resources.cpu.quota");
        }
        if (!c.cpus.empty()) put(dir, "cpuset.cpus", c.cpus, "linux.resources.cpu.cpus");
        if (!c.mems.empty()) put(dir, "cpuset.mems", c.mems, "linux.resources.cpu.mems");
    }
    if (r.cpu) {
        if (r.cpu->burst) put(dir, "cpu.max.burst", std::to_string(*r.cpu->burst), "linux.resources.cpu.burst");
        if (r.cpu->idle) put(dir, "cpu.idle", std::to_string(*r.cpu->idle), "linux.resources.cpu.idle");
    }
    if (r.blockIO) {
        const auto& b = *r.blockIO;
        bool bfq = fs::exists(fs::join(dir, "io.bfq.weight"));
        const char* wfile = bfq ? "io.bfq.weight" : "io.weight";
        if (b.weight && *b.weight) put(dir, wfile, std::to_string(*b.weight), "linux.resources.blockIO.weight");
        for (size_t i = 0; i < b.weightDevice.size(); ++i) {
            const auto& w = b.weightDevice[i];
            if (!w.weight) continue;
            std::string field = "linux.resources.blockIO.weightDevice[" + std::to_string(i) + "]";
            put(dir, wfile, device(w.major, w.minor) + " " + std::to_string(*w.weight), field.c_str());
        }
        for (const auto& t : kThrottles)
            for (size_t i = 0; i < (b.*t.list).size(); ++i) {
                const auto& d = (b.*t.list)[i];
                put(dir, "io.max", device(d.major, d.minor) + " " + t.v2_key + "=" + std::to_string(d.rate),
                    throttle_field(t, i).c_str());
            }
    }
    for (size_t i = 0; i < r.hugepageLimits.size(); ++i) {
        const auto& h = r.hugepageLimits[i];
        std::string field = "linux.resources.hugepageLimits[" + std::to_string(i) + "]";
        put(dir, ("hugetlb." + h.pageSize + ".max").c_str(), std::to_string(h.limit), field.c_str());
    }
    for (const auto& [dev, lim] : r.rdma) {
        std::string v = dev;
        if (lim.hcaHandles) v += " hca_handle=" + std::to_string(*lim.hcaHandles);
        if (lim.hcaObjects) v += " hca_object=" + std::to_string(*lim.hcaObjects);
        put(dir, "rdma.max", v, ("linux.resources.rdma." + dev).c_str());
    }
    if (r.network) throw Error("linux.resources.network: net_cls/net_prio do not exist on cgroup v2");
    if (!r.devices.empty()) {
        std::vector<spec::DeviceRule> rules = r.devices;
        for (const auto& d : default_device_rules()) rules.push_back(d);
        apply_device_rules_v2(dir, rules);
    }
    for (const auto& [k, v] : r.unified) {
        if (k.find('/') != std::string::npos || k.find("..") != std::string::npos)
            throw Error("linux.resources.unified: invalid key \"" + k + "\"");
        put(dir, k.c_str(), v, ("linux.resources.unified." + k).c_str());
    }
}

}  // namespace

spec::Resources with_default_deny(const spec::Resources* r) {
    spec::Resources out = r ? *r : spec::Resources{};
    const auto& d = out.devices;
    bool first_denies_all =
        !d.empty() && !d[0].allow && (d[0].type.empty() || d[0].type == "a") && (d[0].access.empty() || d[0].access == "rwm");
    if (!first_denies_all)
        out.devices.insert(out.devices.begin(), spec::DeviceRule{false, "a", std::nullopt, std::nullopt, "rwm"});
    return out;
}

void apply_resources(const Manager& m, const spec::Resources& r) {
    auto hs = m.dirs();
    bool any_v1 = false;
    for (const auto& d : hs) any_v1 |= !d.h.v2;
    if (any_v1)
        apply_v1(m, r);
    else
        apply_v2(m, r);
}

}  // namespace docklock::cgroups
