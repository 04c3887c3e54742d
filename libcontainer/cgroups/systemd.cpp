#include "systemd.hpp"

#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>

#include <chrono>
#include <cstring>
#include <functional>
#include <map>

#include "../util/error.hpp"
#include "resources.hpp"
#include "sd_bus_redirect.hpp"  // last: libsystemd is loaded on first use

namespace docklock::cgroups::systemd {
namespace {

constexpr const char* kDest = "org.freedesktop.systemd1";
constexpr const char* kPath = "/org/freedesktop/systemd1";
constexpr const char* kManager = "org.freedesktop.systemd1.Manager";
constexpr const char* kNoSuchUnit = "org.freedesktop.systemd1.NoSuchUnit";
constexpr auto kJobTimeout = std::chrono::seconds(30);

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// systemd's unit name alphabet (unit_name_is_valid): ASCII letters, digits, ":-_.\@".
bool valid_unit_chars(const std::string& s) {
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || std::strchr("-_.\\@", c)))
            return false;
    return !s.empty();
}

struct BusError {
    sd_bus_error e = SD_BUS_ERROR_NULL;
    ~BusError() {
        if (e.name || e.message) sd_bus_error_free(&e);
    }
    std::string text(int r) const {
        if (e.message) return std::string(e.message) + (e.name ? std::string(" (") + e.name + ")" : "");
        return std::strerror(-r);
    }
};
struct Message {
    sd_bus_message* m = nullptr;
    ~Message() {
        if (m) sd_bus_message_unref(m);
    }
};
struct Slot {
    sd_bus_slot* s = nullptr;
    ~Slot() {
        if (s) sd_bus_slot_unref(s);
    }
};

void append_property(sd_bus_message* m, const Property& p, const std::string& what) {
    int r = sd_bus_message_open_container(m, 'r', "sv");
    if (r >= 0) r = sd_bus_message_append_basic(m, 's', p.name.c_str());
    if (r >= 0) {
        if (auto* b = std::get_if<bool>(&p.value)) {
            r = sd_bus_message_append(m, "v", "b", static_cast<int>(*b));
        } else if (auto* t = std::get_if<uint64_t>(&p.value)) {
            r = sd_bus_message_append(m, "v", "t", *t);
        } else if (auto* s = std::get_if<std::string>(&p.value)) {
            r = sd_bus_message_append(m, "v", "s", s->c_str());
        } else if (auto* au = std::get_if<std::vector<uint32_t>>(&p.value)) {
            r = sd_bus_message_open_container(m, 'v', "au");
            if (r >= 0) r = sd_bus_message_append_array(m, 'u', au->data(), au->size() * sizeof(uint32_t));
            if (r >= 0) r = sd_bus_message_close_container(m);
        } else if (auto* as = std::get_if<std::vector<std::string>>(&p.value)) {
            r = sd_bus_message_open_container(m, 'v', "as");
            if (r >= 0) r = sd_bus_message_open_container(m, 'a', "s");
            for (const auto& x : *as)
                if (r >= 0) r = sd_bus_message_append_basic(m, 's', x.c_str());
            if (r >= 0) r = sd_bus_message_close_container(m);
            if (r >= 0) r = sd_bus_message_close_container(m);
        }
    }
    if (r >= 0) r = sd_bus_message_close_container(m);
    if (r < 0) throw Error(what + ": build the D-Bus message (property " + p.name + ")", -r);
}

void append_properties(sd_bus_message* m, const std::vector<Property>& props, const std::string& what) {
    int r = sd_bus_message_open_container(m, 'a', "(sv)");
    if (r < 0) throw Error(what + ": build the D-Bus message", -r);
    for (const auto& p : props) append_property(m, p, what);
    r = sd_bus_message_close_container(m);
    if (r < 0) throw Error(what + ": build the D-Bus message", -r);
}

// JobRemoved(u id, o job, s unit, s result), remembered by job path until the waiter looks.
int on_job_removed(sd_bus_message* m, void* userdata, sd_bus_error*) {
    uint32_t id = 0;
    const char *job = nullptr, *unit = nullptr, *result = nullptr;
    if (sd_bus_message_read(m, "uoss", &id, &job, &unit, &result) >= 0 && job && result)
        (*static_cast<std::map<std::string, std::string>*>(userdata))[job] = result;
    return 0;
}

}  // namespace

bool UnitPath::is_slice() const {
    return ends_with(unit, ".slice");
}

std::string UnitPath::cgroup() const {
    // A slice lives where its name says (a-b.slice under a.slice); a scope lives in its parent slice.
    if (is_slice()) return expand_slice(unit);
    std::string parent = expand_slice(slice);
    return (parent == "/" ? "" : parent) + "/" + unit;
}

std::string expand_slice(const std::string& slice) {
    const std::string suffix = ".slice";
    auto bad = [&] {
        return Error("systemd slice \"" + slice + "\": not a valid slice name (like \"system.slice\" or \"machine-x.slice\")");
    };
    if (slice.size() <= suffix.size() || !ends_with(slice, suffix) || !valid_unit_chars(slice)) throw bad();
    std::string name = slice.substr(0, slice.size() - suffix.size());
    if (name == "-") return "/";
    std::string path, prefix;
    size_t i = 0;
    for (;;) {
        size_t j = name.find('-', i);
        std::string part = name.substr(i, j == std::string::npos ? std::string::npos : j - i);
        if (part.empty()) throw bad();  // "-a.slice", "a--b.slice", "a-.slice"
        path += "/" + prefix + part + suffix;
        prefix += part + "-";
        if (j == std::string::npos) break;
        i = j + 1;
    }
    return path;
}

UnitPath parse_path(const std::string& cgroups_path, const std::string& id) {
    std::string slice, prefix, name;
    const std::string field = "linux.cgroupsPath \"" + cgroups_path + "\"";
    if (cgroups_path.empty()) {
        slice = "system.slice";
        prefix = "docklock";
        name = id;
    } else {
        std::vector<std::string> parts;
        size_t i = 0;
        for (;;) {
            size_t j = cgroups_path.find(':', i);
            parts.push_back(cgroups_path.substr(i, j == std::string::npos ? std::string::npos : j - i));
            if (j == std::string::npos) break;
            i = j + 1;
        }
        if (parts.size() != 3)
            throw Error(field + ": the systemd cgroup driver expects \"slice:prefix:name\" (like \"system.slice:docker:<id>\")");
        slice = parts[0].empty() ? "system.slice" : parts[0];
        prefix = parts[1];
        name = parts[2];
    }
    if (!valid_unit_chars(name) || (!prefix.empty() && !valid_unit_chars(prefix)))
        throw Error(field + ": the prefix and name must be non-empty systemd unit name characters (letters, digits, \"-_.\\@\")");
    UnitPath u;
    u.slice = slice;
    u.unit = ends_with(name, ".slice") ? name : (prefix.empty() ? "" : prefix + "-") + name + ".scope";
    if (u.unit.size() > 255) throw Error(field + ": the unit name " + u.unit + " is longer than systemd's 255 characters");
    try {
        (void)u.cgroup();  // validates both slices
    } catch (const Error& e) {
        throw Error(field + ": " + e.what());
    }
    return u;
}

std::vector<Property> resource_properties(const spec::Resources& r, bool unified) {
    std::vector<Property> out;
    const uint64_t infinity = UINT64_MAX;
    auto set = [&](const char* name, Property::Value v) {  // a later value (the unified map) replaces an earlier one
        for (auto& p : out)
            if (p.name == name) {
                p.value = std::move(v);
                return;
            }
        out.push_back({name, std::move(v)});
    };
    auto bytes = [&](int64_t n) { return n < 0 ? infinity : static_cast<uint64_t>(n); };
    if (r.memory) {
        const auto& m = *r.memory;
        if (m.limit && *m.limit) set("MemoryMax", bytes(*m.limit));
        // v2 only: systemd resets these files on every daemon-reload unless the unit holds them.
        if (unified && m.reservation) set("MemoryLow", bytes(*m.reservation));
        if (unified && m.swap && m.limit && *m.swap >= 0 && *m.limit >= 0)
            set("MemorySwapMax", static_cast<uint64_t>(*m.swap - *m.limit));
    }
    if (r.pidsLimit) set("TasksMax", *r.pidsLimit > 0 ? static_cast<uint64_t>(*r.pidsLimit) : infinity);
    if (r.cpu) {
        const auto& c = *r.cpu;
        if (c.shares && *c.shares) {
            if (unified)
                set("CPUWeight", shares_to_weight(*c.shares));
            else
                set("CPUShares", *c.shares);
        }
        if ((c.quota && *c.quota) || (c.period && *c.period)) {
            uint64_t period = c.period && *c.period ? *c.period : 100000;
            set("CPUQuotaPeriodUSec", period);
            // systemd keeps the quota as CPU time per second in whole percents: round up to 10 ms,
            // as runc does, so the cgroup's own quota (written after) is never above systemd's.
            uint64_t per_sec = infinity;
            if (c.quota && *c.quota > 0) {
                per_sec = static_cast<uint64_t>(*c.quota) * 1000000 / period;
                if (per_sec % 10000) per_sec = (per_sec / 10000 + 1) * 10000;
            }
            set("CPUQuotaPerSecUSec", per_sec);
        }
    }
    if (r.blockIO && r.blockIO->weight && *r.blockIO->weight)
        set(unified ? "IOWeight" : "BlockIOWeight", static_cast<uint64_t>(*r.blockIO->weight));
    // The unified map is written last to the files; the keys systemd also manages follow it ("max" or a number).
    if (unified) {
        static const std::map<std::string, const char*> keys{{"memory.min", "MemoryMin"},          {"memory.low", "MemoryLow"},
                                                             {"memory.high", "MemoryHigh"},        {"memory.max", "MemoryMax"},
                                                             {"memory.swap.max", "MemorySwapMax"}, {"pids.max", "TasksMax"},
                                                             {"cpu.weight", "CPUWeight"}};
        for (const auto& [k, v] : r.unified) {
            auto it = keys.find(k);
            if (it == keys.end()) continue;
            std::string t = v;
            while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
            if (t == "max" && k != "cpu.weight") {
                set(it->second, infinity);
            } else if (!t.empty() && t.find_first_not_of("0123456789") == std::string::npos && t.size() < 20) {
                set(it->second, static_cast<uint64_t>(std::stoull(t)));
            }  // anything else: the file write reports it, naming the key
        }
    }
    return out;
}

std::vector<Property> unit_properties(const UnitPath& u, pid_t pid, const spec::Resources* r, bool unified) {
    std::vector<Property> out;
    out.push_back({"Description", std::string("docklock container ") + u.unit});
    if (u.is_slice()) {
        out.push_back({"Wants", std::vector<std::string>{u.slice}});
    } else {
        out.push_back({"Slice", u.slice});
        out.push_back({"Delegate", true});
        if (pid > 0) out.push_back({"PIDs", std::vector<uint32_t>{static_cast<uint32_t>(pid)}});
    }
    out.push_back({"DefaultDependencies", false});
    for (const char* a : {"MemoryAccounting", "CPUAccounting", "TasksAccounting", "IOAccounting"}) out.push_back({a, true});
    if (r)
        for (auto& p : resource_properties(*r, unified)) out.push_back(std::move(p));
    return out;
}

Bus Bus::connect(const std::string& what) {
    sd_bus* bus = nullptr;
    int r = sd_bus_new(&bus);
    if (r < 0) throw Error(what + ": sd_bus_new", -r);
    r = sd_bus_set_address(bus, "unix:path=/run/systemd/private");
    if (r >= 0) r = sd_bus_start(bus);
    if (r >= 0) return Bus(bus, what);
    int private_err = -r;
    sd_bus_unref(bus);
    bus = nullptr;
    if (sd_booted() <= 0)
        throw Error(what +
                    ": --systemd-cgroup needs systemd, and systemd is not running on this host (no /run/systemd/system; "
                    "/run/systemd/private: " +
                    std::strerror(private_err) + "); run without --systemd-cgroup to use the cgroupfs driver");
    r = sd_bus_open_system(&bus);
    if (r < 0)
        throw Error(what + ": cannot reach systemd (/run/systemd/private: " + std::strerror(private_err) + "; the system bus",
                    -r);
    return Bus(bus, what);
}

Bus::Bus(Bus&& o) noexcept : bus_(o.bus_), what_(std::move(o.what_)) {
    o.bus_ = nullptr;
}

Bus::~Bus() {
    if (bus_) sd_bus_flush_close_unref(static_cast<sd_bus*>(bus_));
}

namespace {

// Call a Manager method that returns a job path, then wait for that job's JobRemoved signal (matched
// before the call, so it cannot be missed). Returns "" when done; the bus error name if the call failed
// with one of `tolerated`.
std::string call_and_wait(sd_bus* bus, const std::string& what, const char* method, const std::string& unit, const char* verb,
                          const std::function<void(sd_bus_message*)>& args, const std::vector<std::string>& tolerated = {}) {
    std::map<std::string, std::string> removed;
    Slot slot;
    // A direct connection (the private socket) has no sender names: match on the rest only.
    int r = sd_bus_match_signal(bus, &slot.s, sd_bus_is_bus_client(bus) > 0 ? kDest : nullptr, kPath, kManager, "JobRemoved",
                                on_job_removed, &removed);
    if (r < 0) throw Error(what + ": subscribe to systemd's JobRemoved", -r);
    if (sd_bus_is_bus_client(bus) > 0) {
        BusError ignored;
        sd_bus_call_method(bus, kDest, kPath, kManager, "Subscribe", &ignored.e, nullptr, "");
    }
    Message call, reply;
    r = sd_bus_message_new_method_call(bus, &call.m, kDest, kPath, kManager, method);
    if (r < 0) throw Error(what + ": build the D-Bus message", -r);
    args(call.m);
    BusError err;
    r = sd_bus_call(bus, call.m, std::chrono::microseconds(kJobTimeout).count(), &err.e, &reply.m);
    if (r < 0) {
        for (const auto& t : tolerated)
            if (err.e.name && t == err.e.name) return t;
        throw Error(what + ": systemd " + method + " " + unit + ": " + err.text(r));
    }
    const char* job = nullptr;
    r = sd_bus_message_read(reply.m, "o", &job);
    if (r < 0 || !job) throw Error(what + ": systemd " + method + " " + unit + ": unexpected reply", r < 0 ? -r : 0);
    std::string job_path = job;
    auto deadline = std::chrono::steady_clock::now() + kJobTimeout;
    for (;;) {
        auto it = removed.find(job_path);
        if (it != removed.end()) {
            if (it->second != "done")
                throw Error(what + ": systemd could not " + verb + " " + unit + ": its job ended with result \"" + it->second +
                            "\" (see journalctl -u " + unit + ")");
            return "";
        }
        r = sd_bus_process(bus, nullptr);
        if (r < 0) throw Error(what + ": waiting for systemd to " + verb + " " + unit, -r);
        if (r > 0) continue;
        auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - std::chrono::steady_clock::now()).count();
        if (left <= 0)
            throw Error(what + ": timed out after " + std::to_string(kJobTimeout.count()) + " s waiting for systemd to " + verb +
                        " " + unit);
        r = sd_bus_wait(bus, static_cast<uint64_t>(left));
        if (r < 0 && r != -EINTR) throw Error(what + ": waiting for systemd to " + verb + " " + unit, -r);
    }
}

}  // namespace

void Bus::start_unit(const std::string& unit, const std::vector<Property>& props) {
    auto* bus = static_cast<sd_bus*>(bus_);
    // A failed unit of the same name (an earlier container's) would make the start fail: clear it.
    BusError ignored;
    sd_bus_call_method(bus, kDest, kPath, kManager, "ResetFailedUnit", &ignored.e, nullptr, "s", unit.c_str());
    call_and_wait(bus, what_, "StartTransientUnit", unit, "start", [&](sd_bus_message* m) {
        int r = sd_bus_message_append(m, "ss", unit.c_str(), "replace");
        if (r < 0) throw Error(what_ + ": build the D-Bus message", -r);
        append_properties(m, props, what_);
        r = sd_bus_message_append(m, "a(sa(sv))", 0);  // no auxiliary units
        if (r < 0) throw Error(what_ + ": build the D-Bus message", -r);
    });
}

void Bus::stop_unit(const std::string& unit) {
    auto* bus = static_cast<sd_bus*>(bus_);
    call_and_wait(bus, what_, "StopUnit", unit, "stop",
                  [&](sd_bus_message* m) {
                      int r = sd_bus_message_append(m, "ss", unit.c_str(), "replace");
                      if (r < 0) throw Error(what_ + ": build the D-Bus message", -r);
                  },
                  {kNoSuchUnit});
    BusError ignored;  // a scope whose processes were killed ends "failed": forget it
    sd_bus_call_method(bus, kDest, kPath, kManager, "ResetFailedUnit", &ignored.e, nullptr, "s", unit.c_str());
}

void Bus::set_properties(const std::string& unit, const std::vector<Property>& props) {
    auto* bus = static_cast<sd_bus*>(bus_);
    Message call;
    int r = sd_bus_message_new_method_call(bus, &call.m, kDest, kPath, kManager, "SetUnitProperties");
    if (r >= 0) r = sd_bus_message_append(call.m, "sb", unit.c_str(), 1);
    if (r < 0) throw Error(what_ + ": build the D-Bus message", -r);
    append_properties(call.m, props, what_);
    BusError err;
    r = sd_bus_call(bus, call.m, std::chrono::microseconds(kJobTimeout).count(), &err.e, nullptr);
    if (r < 0) throw Error(what_ + ": systemd SetUnitProperties " + unit + ": " + err.text(r));
}

}  // namespace docklock::cgroups::systemd
