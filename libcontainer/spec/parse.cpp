// config.json -> Spec. Every type error names the field by its dotted path.
#include <limits>

#include "../util/error.hpp"
#include "spec.hpp"

namespace docklock::spec {
namespace {

using json = nlohmann::json;

class Reader {
public:
    explicit Reader(std::string origin) : origin_(std::move(origin)) {}

    [[noreturn]] void fail(const std::string& path, const std::string& msg) const {
        throw Error(origin_ + ": " + path + ": " + msg);
    }
    [[noreturn]] void wrong(const std::string& path, const char* want, const json& j) const {
        fail(path, std::string("expected ") + want + ", got " + j.type_name());
    }

    void object(const json& j, const std::string& path) const {
        if (!j.is_object()) wrong(path, "an object", j);
    }
    std::string str(const json& j, const std::string& path) const {
        if (!j.is_string()) wrong(path, "a string", j);
        return j.get<std::string>();
    }
    bool boolean(const json& j, const std::string& path) const {
        if (!j.is_boolean()) wrong(path, "a boolean", j);
        return j.get<bool>();
    }
    uint64_t u64(const json& j, const std::string& path) const {
        if (!j.is_number_integer() || (j.is_number_integer() && !j.is_number_unsigned() && j.get<int64_t>() < 0))
            wrong(path, "an unsigned integer", j);
        return j.get<uint64_t>();
    }
    int64_t i64(const json& j, const std::string& path) const {
        if (!j.is_number_integer()) wrong(path, "an integer", j);
        if (j.is_number_unsigned() && j.get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max()))
            fail(path, "integer out of range");
        return j.get<int64_t>();
    }
    template <class T>
    T unsigned_of(const json& j, const std::string& path, const char* want) const {
        uint64_t v = u64(j, path);
        if (v > std::numeric_limits<T>::max()) fail(path, std::string("out of range for ") + want);
        return static_cast<T>(v);
    }
    uint32_t u32(const json& j, const std::string& path) const { return unsigned_of<uint32_t>(j, path, "uint32"); }
    uint16_t u16(const json& j, const std::string& path) const { return unsigned_of<uint16_t>(j, path, "uint16"); }
    int i32(const json& j, const std::string& path) const {
        int64_t v = i64(j, path);
        if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) fail(path, "out of range for int32");
        return static_cast<int>(v);
    }

    // Present and not null?
    static const json* at(const json& obj, const char* key) {
        auto it = obj.find(key);
        return (it == obj.end() || it->is_null()) ? nullptr : &*it;
    }

    template <class F>
    void array(const json& j, const std::string& path, F each) const {
        if (!j.is_array()) wrong(path, "an array", j);
        for (size_t i = 0; i < j.size(); ++i) each(j[i], path + "[" + std::to_string(i) + "]");
    }
    std::vector<std::string> strings(const json& j, const std::string& path) const {
        std::vector<std::string> out;
        array(j, path, [&](const json& e, const std::string& p) { out.push_back(str(e, p)); });
        return out;
    }
    std::map<std::string, std::string> string_map(const json& j, const std::string& path) const {
        object(j, path);
        std::map<std::string, std::string> out;
        for (auto it = j.begin(); it != j.end(); ++it) out[it.key()] = str(it.value(), path + "." + it.key());
        return out;
    }

private:
    std::string origin_;
};

inline std::string sub(const std::string& path, const char* key) {
    return path.empty() ? std::string(key) : path + "." + key;
}

// Field helpers: assign only when the key is present and not null.
#define OPT(obj, key, path, out, conv)                                                  \
    do {                                                                                \
        if (const json* v_ = Reader::at(obj, key)) (out) = r.conv(*v_, sub(path, key)); \
    } while (0)

std::vector<IdMapping> id_mappings(const Reader& r, const json& j, const std::string& path) {
    std::vector<IdMapping> out;
    r.array(j, path, [&](const json& e, const std::string& p) {
        r.object(e, p);
        IdMapping m;
        for (const char* k : {"containerID", "hostID", "size"})
            if (!Reader::at(e, k)) r.fail(p + "." + k, "required");
        m.containerID = r.u32(e["containerID"], p + ".containerID");
        m.hostID = r.u32(e["hostID"], p + ".hostID");
        m.size = r.u32(e["size"], p + ".size");
        out.push_back(m);
    });
    return out;
}

Hook hook(const Reader& r, const json& j, const std::string& p) {
    r.object(j, p);
    Hook h;
    if (!Reader::at(j, "path")) r.fail(p + ".path", "required");
    OPT(j, "path", p, h.path, str);
    OPT(j, "args", p, h.args, strings);
    OPT(j, "env", p, h.env, strings);
    if (const json* t = Reader::at(j, "timeout")) {
        h.timeout = r.i32(*t, p + ".timeout");
        if (*h.timeout <= 0) r.fail(p + ".timeout", "must be greater than zero");
    }
    return h;
}

Process process(const Reader& r, const json& j, const std::string& p) {
    r.object(j, p);
    Process pr;
    OPT(j, "terminal", p, pr.terminal, boolean);
    if (const json* c = Reader::at(j, "consoleSize")) {
        r.object(*c, p + ".consoleSize");
        ConsoleSize cs;
        OPT(*c, "height", p + ".consoleSize", cs.height, u32);
        OPT(*c, "width", p + ".consoleSize", cs.width, u32);
        pr.consoleSize = cs;
    }
    if (const json* u = Reader::at(j, "user")) {
        std::string up = p + ".user";
        r.object(*u, up);
        OPT(*u, "uid", up, pr.user.uid, u32);
        OPT(*u, "gid", up, pr.user.gid, u32);
        if (const json* m = Reader::at(*u, "umask")) pr.user.umask = r.u32(*m, up + ".umask");
        if (const json* g = Reader::at(*u, "additionalGids"))
            r.array(*g, up + ".additionalGids",
                    [&](const json& e, const std::string& ep) { pr.user.additionalGids.push_back(r.u32(e, ep)); });
        OPT(*u, "username", up, pr.user.username, str);
    }
    OPT(j, "args", p, pr.args, strings);
    OPT(j, "commandLine", p, pr.commandLine, str);
    OPT(j, "env", p, pr.env, strings);
    OPT(j, "cwd", p, pr.cwd, str);
    if (const json* c = Reader::at(j, "capabilities")) {
        std::string cp = p + ".capabilities";
        r.object(*c, cp);
        Capabilities caps;
        OPT(*c, "bounding", cp, caps.bounding, strings);
        OPT(*c, "effective", cp, caps.effective, strings);
        OPT(*c, "inheritable", cp, caps.inheritable, strings);
        OPT(*c, "permitted", cp, caps.permitted, strings);
        OPT(*c, "ambient", cp, caps.ambient, strings);
        pr.capabilities = caps;
    }
    if (const json* rl = Reader::at(j, "rlimits"))
        r.array(*rl, p + ".rlimits", [&](const json& e, const std::string& ep) {
            r.object(e, ep);
            Rlimit l;
            if (!Reader::at(e, "type")) r.fail(ep + ".type", "required");
            OPT(e, "type", ep, l.type, str);
            OPT(e, "hard", ep, l.hard, u64);
            OPT(e, "soft", ep, l.soft, u64);
            pr.rlimits.push_back(l);
        });
    OPT(j, "noNewPrivileges", p, pr.noNewPrivileges, boolean);
    OPT(j, "apparmorProfile", p, pr.apparmorProfile, str);
    if (const json* o = Reader::at(j, "oomScoreAdj")) pr.oomScoreAdj = r.i32(*o, p + ".oomScoreAdj");
    OPT(j, "selinuxLabel", p, pr.selinuxLabel, str);
    if (const json* v = Reader::at(j, "ioPriority")) pr.ioPriority = *v;
    if (const json* v = Reader::at(j, "scheduler")) pr.scheduler = *v;
    if (const json* v = Reader::at(j, "execCPUAffinity")) pr.execCPUAffinity = *v;
    return pr;
}

std::vector<ThrottleDevice> throttles(const Reader& r, const json& j, const std::string& p) {
    std::vector<ThrottleDevice> out;
    r.array(j, p, [&](const json& e, const std::string& ep) {
        r.object(e, ep);
        ThrottleDevice t;
        OPT(e, "major", ep, t.major, i64);
        OPT(e, "minor", ep, t.minor, i64);
        OPT(e, "rate", ep, t.rate, u64);
        out.push_back(t);
    });
    return out;
}

Resources resources(const Reader& r, const json& j, const std::string& p) {
    r.object(j, p);
    Resources res;
    if (const json* d = Reader::at(j, "devices"))
        r.array(*d, p + ".devices", [&](const json& e, const std::string& ep) {
            r.object(e, ep);
            DeviceRule rule;
            if (!Reader::at(e, "allow")) r.fail(ep + ".allow", "required");
            OPT(e, "allow", ep, rule.allow, boolean);
            OPT(e, "type", ep, rule.type, str);
            if (const json* v = Reader::at(e, "major")) rule.major = r.i64(*v, ep + ".major");
            if (const json* v = Reader::at(e, "minor")) rule.minor = r.i64(*v, ep + ".minor");
            OPT(e, "access", ep, rule.access, str);
            res.devices.push_back(rule);
        });
    if (const json* m = Reader::at(j, "memory")) {
        std::string mp = p + ".memory";
        r.object(*m, mp);
        Memory mem;
        auto i = [&](const char* k, std::optional<int64_t>& out) {
            if (const json* v = Reader::at(*m, k)) out = r.i64(*v, mp + "." + k);
        };
        i("limit", mem.limit);
        i("reservation", mem.reservation);
        i("swap", mem.swap);
        i("kernel", mem.kernel);
        i("kernelTCP", mem.kernelTCP);
        if (const json* v = Reader::at(*m, "swappiness")) mem.swappiness = r.u64(*v, mp + ".swappiness");
        if (const json* v = Reader::at(*m, "disableOOMKiller")) mem.disableOOMKiller = r.boolean(*v, mp + ".disableOOMKiller");
        if (const json* v = Reader::at(*m, "useHierarchy")) mem.useHierarchy = r.boolean(*v, mp + ".useHierarchy");
        if (const json* v = Reader::at(*m, "checkBeforeUpdate")) mem.checkBeforeUpdate = r.boolean(*v, mp + ".checkBeforeUpdate");
        res.memory = mem;
    }
    if (const json* c = Reader::at(j, "cpu")) {
        std::string cp = p + ".cpu";
        r.object(*c, cp);
        Cpu cpu;
        auto u = [&](const char* k, std::optional<uint64_t>& out) {
            if (const json* v = Reader::at(*c, k)) out = r.u64(*v, cp + "." + k);
        };
        auto i = [&](const char* k, std::optional<int64_t>& out) {
            if (const json* v = Reader::at(*c, k)) out = r.i64(*v, cp + "." + k);
        };
        u("shares", cpu.shares);
        u("period", cpu.period);
        u("realtimePeriod", cpu.realtimePeriod);
        u("burst", cpu.burst);
        i("quota", cpu.quota);
        i("realtimeRuntime", cpu.realtimeRuntime);
        i("idle", cpu.idle);
        OPT(*c, "cpus", cp, cpu.cpus, str);
        OPT(*c, "mems", cp, cpu.mems, str);
        res.cpu = cpu;
    }
    if (const json* pids = Reader::at(j, "pids")) {
        r.object(*pids, p + ".pids");
        if (const json* v = Reader::at(*pids, "limit")) res.pidsLimit = r.i64(*v, p + ".pids.limit");
    }
    if (const json* b = Reader::at(j, "blockIO")) {
        std::string bp = p + ".blockIO";
        r.object(*b, bp);
        BlockIO bio;
        if (const json* v = Reader::at(*b, "weight")) bio.weight = r.u16(*v, bp + ".weight");
        if (const json* v = Reader::at(*b, "leafWeight")) bio.leafWeight = r.u16(*v, bp + ".leafWeight");
        if (const json* wd = Reader::at(*b, "weightDevice"))
            r.array(*wd, bp + ".weightDevice", [&](const json& e, const std::string& ep) {
                r.object(e, ep);
                WeightDevice w;
                OPT(e, "major", ep, w.major, i64);
                OPT(e, "minor", ep, w.minor, i64);
                if (const json* v = Reader::at(e, "weight")) w.weight = r.u16(*v, ep + ".weight");
                if (const json* v = Reader::at(e, "leafWeight")) w.leafWeight = r.u16(*v, ep + ".leafWeight");
                bio.weightDevice.push_back(w);
            });
        if (const json* v = Reader::at(*b, "throttleReadBpsDevice"))
            bio.throttleReadBpsDevice = throttles(r, *v, bp + ".throttleReadBpsDevice");
        if (const json* v = Reader::at(*b, "throttleWriteBpsDevice"))
            bio.throttleWriteBpsDevice = throttles(r, *v, bp + ".throttleWriteBpsDevice");
        if (const json* v = Reader::at(*b, "throttleReadIOPSDevice"))
            bio.throttleReadIOPSDevice = throttles(r, *v, bp + ".throttleReadIOPSDevice");
        if (const json* v = Reader::at(*b, "throttleWriteIOPSDevice"))
            bio.throttleWriteIOPSDevice = throttles(r, *v, bp + ".throttleWriteIOPSDevice");
        res.blockIO = bio;
    }
    if (const json* h = Reader::at(j, "hugepageLimits"))
        r.array(*h, p + ".hugepageLimits", [&](const json& e, const std::string& ep) {
            r.object(e, ep);
            HugepageLimit l;
            OPT(e, "pageSize", ep, l.pageSize, str);
            OPT(e, "limit", ep, l.limit, u64);
            res.hugepageLimits.push_back(l);
        });
    if (const json* n = Reader::at(j, "network")) {
        std::string np = p + ".network";
        r.object(*n, np);
        Network net;
        if (const json* v = Reader::at(*n, "classID")) net.classID = r.u32(*v, np + ".classID");
        if (const json* pr = Reader::at(*n, "priorities"))
            r.array(*pr, np + ".priorities", [&](const json& e, const std::string& ep) {
                r.object(e, ep);
                NetPriority q;
                OPT(e, "name", ep, q.name, str);
                OPT(e, "priority", ep, q.priority, u32);
                net.priorities.push_back(q);
            });
        res.network = net;
    }
    if (const json* rd = Reader::at(j, "rdma")) {
        r.object(*rd, p + ".rdma");
        for (auto it = rd->begin(); it != rd->end(); ++it) {
            std::string ep = p + ".rdma." + it.key();
            r.object(it.value(), ep);
            Rdma x;
            if (const json* v = Reader::at(it.value(), "hcaHandles")) x.hcaHandles = r.u32(*v, ep + ".hcaHandles");
            if (const json* v = Reader::at(it.value(), "hcaObjects")) x.hcaObjects = r.u32(*v, ep + ".hcaObjects");
            res.rdma[it.key()] = x;
        }
    }
    OPT(j, "unified", p, res.unified, string_map);
    return res;
}

Seccomp seccomp(const Reader& r, const json& j, const std::string& p) {
    r.object(j, p);
    Seccomp s;
    if (!Reader::at(j, "defaultAction")) r.fail(p + ".defaultAction", "required");
    OPT(j, "defaultAction", p, s.defaultAction, str);
    if (const json* v = Reader::at(j, "defaultErrnoRet")) s.defaultErrnoRet = r.u32(*v, p + ".defaultErrnoRet");
    OPT(j, "architectures", p, s.architectures, strings);
    OPT(j, "flags", p, s.flags, strings);
    OPT(j, "listenerPath", p, s.listenerPath, str);
    OPT(j, "listenerMetadata", p, s.listenerMetadata, str);
    if (const json* sc = Reader::at(j, "syscalls"))
        r.array(*sc, p + ".syscalls", [&](const json& e, const std::string& ep) {
            r.object(e, ep);
            SyscallRule rule;
            if (!Reader::at(e, "names")) r.fail(ep + ".names", "required");
            OPT(e, "names", ep, rule.names, strings);
            if (!Reader::at(e, "action")) r.fail(ep + ".action", "required");
            OPT(e, "action", ep, rule.action, str);
            if (const json* v = Reader::at(e, "errnoRet")) rule.errnoRet = r.u32(*v, ep + ".errnoRet");
            if (const json* a = Reader::at(e, "args"))
                r.array(*a, ep + ".args", [&](const json& ae, const std::string& ap) {
                    r.object(ae, ap);
                    SeccompArg arg;
                    if (!Reader::at(ae, "index")) r.fail(ap + ".index", "required");
                    if (!Reader::at(ae, "op")) r.fail(ap + ".op", "required");
                    OPT(ae, "index", ap, arg.index, u32);
                    OPT(ae, "value", ap, arg.value, u64);
                    OPT(ae, "valueTwo", ap, arg.valueTwo, u64);
                    OPT(ae, "op", ap, arg.op, str);
                    rule.args.push_back(arg);
                });
            s.syscalls.push_back(rule);
        });
    return s;
}

Linux linux_section(const Reader& r, const json& j, const std::string& p) {
    r.object(j, p);
    Linux l;
    if (const json* v = Reader::at(j, "uidMappings")) l.uidMappings = id_mappings(r, *v, p + ".uidMappings");
    if (const json* v = Reader::at(j, "gidMappings")) l.gidMappings = id_mappings(r, *v, p + ".gidMappings");
    OPT(j, "sysctl", p, l.sysctl, string_map);
    if (const json* v = Reader::at(j, "resources")) l.resources = resources(r, *v, p + ".resources");
    OPT(j, "cgroupsPath", p, l.cgroupsPath, str);
    if (const json* ns = Reader::at(j, "namespaces"))
        r.array(*ns, p + ".namespaces", [&](const json& e, const std::string& ep) {
            r.object(e, ep);
            Namespace n;
            if (!Reader::at(e, "type")) r.fail(ep + ".type", "required");
            OPT(e, "type", ep, n.type, str);
            OPT(e, "path", ep, n.path, str);
            l.namespaces.push_back(n);
        });
    if (const json* d = Reader::at(j, "devices"))
        r.array(*d, p + ".devices", [&](const json& e, const std::string& ep) {
            r.object(e, ep);
            Device dev;
            if (!Reader::at(e, "type")) r.fail(ep + ".type", "required");
            if (!Reader::at(e, "path")) r.fail(ep + ".path", "required");
            OPT(e, "type", ep, dev.type, str);
            OPT(e, "path", ep, dev.path, str);
            OPT(e, "major", ep, dev.major, i64);
            OPT(e, "minor", ep, dev.minor, i64);
            if (const json* v = Reader::at(e, "fileMode")) dev.fileMode = r.u32(*v, ep + ".fileMode");
            if (const json* v = Reader::at(e, "uid")) dev.uid = r.u32(*v, ep + ".uid");
            if (const json* v = Reader::at(e, "gid")) dev.gid = r.u32(*v, ep + ".gid");
            l.devices.push_back(dev);
        });
    if (const json* v = Reader::at(j, "seccomp")) l.seccomp = seccomp(r, *v, p + ".seccomp");
    if (const json* v = Reader::at(j, "org.docklock.seccompStack"))
        r.array(*v, p + ".org.docklock.seccompStack",
                [&](const json& e, const std::string& ep) { l.seccompStack.push_back(seccomp(r, e, ep)); });
    if (const json* v = Reader::at(j, "org.docklock.landlock")) {
        std::string lp = p + ".org.docklock.landlock";
        r.object(*v, lp);
        Landlock ll;
        OPT(*v, "noExec", lp, ll.noExec, strings);
        OPT(*v, "noWrite", lp, ll.noWrite, strings);
        if (const json* b = Reader::at(*v, "scopeSignals")) ll.scopeSignals = r.boolean(*b, lp + ".scopeSignals");
        if (const json* b = Reader::at(*v, "scopeAbstractUnix"))
            ll.scopeAbstractUnix = r.boolean(*b, lp + ".scopeAbstractUnix");
        l.landlock = ll;
    }
    OPT(j, "rootfsPropagation", p, l.rootfsPropagation, str);
    OPT(j, "maskedPaths", p, l.maskedPaths, strings);
    OPT(j, "readonlyPaths", p, l.readonlyPaths, strings);
    OPT(j, "mountLabel", p, l.mountLabel, str);
    if (const json* v = Reader::at(j, "personality")) {
        r.object(*v, p + ".personality");
        Personality pe;
        OPT(*v, "domain", p + ".personality", pe.domain, str);
        OPT(*v, "flags", p + ".personality", pe.flags, strings);
        l.personality = pe;
    }
    if (const json* v = Reader::at(j, "timeOffsets")) {
        r.object(*v, p + ".timeOffsets");
        for (auto it = v->begin(); it != v->end(); ++it) {
            std::string ep = p + ".timeOffsets." + it.key();
            r.object(it.value(), ep);
            TimeOffset t;
            OPT(it.value(), "secs", ep, t.secs, i64);
            OPT(it.value(), "nanosecs", ep, t.nanosecs, u32);
            l.timeOffsets[it.key()] = t;
        }
    }
    if (const json* v = Reader::at(j, "intelRdt")) l.intelRdt = *v;
    return l;
}

}  // namespace

Spec parse_spec_json(const json& j, const std::string& origin) {
    Reader r(origin);
    r.object(j, "(top level)");
    Spec s;
    if (!Reader::at(j, "ociVersion")) r.fail("ociVersion", "required");
    s.ociVersion = r.str(j["ociVersion"], "ociVersion");
    if (const json* root = Reader::at(j, "root")) {
        r.object(*root, "root");
        if (!Reader::at(*root, "path")) r.fail("root.path", "required");
        s.root.path = r.str((*root)["path"], "root.path");
        OPT(*root, "readonly", std::string("root"), s.root.readonly, boolean);
    }
    if (const json* m = Reader::at(j, "mounts"))
        r.array(*m, "mounts", [&](const json& e, const std::string& ep) {
            r.object(e, ep);
            Mount mt;
            if (!Reader::at(e, "destination")) r.fail(ep + ".destination", "required");
            OPT(e, "destination", ep, mt.destination, str);
            OPT(e, "type", ep, mt.type, str);
            OPT(e, "source", ep, mt.source, str);
            OPT(e, "options", ep, mt.options, strings);
            if (const json* v = Reader::at(e, "uidMappings")) mt.uidMappings = id_mappings(r, *v, ep + ".uidMappings");
            if (const json* v = Reader::at(e, "gidMappings")) mt.gidMappings = id_mappings(r, *v, ep + ".gidMappings");
            s.mounts.push_back(mt);
        });
    if (const json* p = Reader::at(j, "process")) s.process = process(r, *p, "process");
    OPT(j, "hostname", std::string(), s.hostname, str);
    OPT(j, "domainname", std::string(), s.domainname, str);
    if (const json* h = Reader::at(j, "hooks")) {
        r.object(*h, "hooks");
        auto list = [&](const char* k, std::vector<Hook>& out) {
            if (const json* v = Reader::at(*h, k))
                r.array(*v, std::string("hooks.") + k,
                        [&](const json& e, const std::string& ep) { out.push_back(hook(r, e, ep)); });
        };
        list("prestart", s.hooks.prestart);
        list("createRuntime", s.hooks.createRuntime);
        list("createContainer", s.hooks.createContainer);
        list("startContainer", s.hooks.startContainer);
        list("poststart", s.hooks.poststart);
        list("poststop", s.hooks.poststop);
    }
    OPT(j, "annotations", std::string(), s.annotations, string_map);
    if (const json* l = Reader::at(j, "linux")) s.linux = linux_section(r, *l, "linux");
    return s;
}

static json parse_text(const std::string& text, const std::string& origin) {
    try {
        return json::parse(text);
    } catch (const json::parse_error& e) {
        throw Error(origin + ": malformed JSON at byte " + std::to_string(e.byte) + ": " +
                    std::string(e.what()).substr(std::string(e.what()).find("parse error")));
    }
}

Spec parse_spec(const std::string& text, const std::string& origin) {
    return parse_spec_json(parse_text(text, origin), origin);
}

Resources parse_resources(const std::string& text, const std::string& origin) {
    Reader r(origin);
    return resources(r, parse_text(text, origin), "resources");
}

Process parse_process(const std::string& text, const std::string& origin) {
    Reader r(origin);
    json j = parse_text(text, origin);
    return process(r, j, "process");
}

}  // namespace docklock::spec
