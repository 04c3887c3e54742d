// Spec -> JSON (the hardened spec is stored with the container's state and shown by `policy check`).
#include "spec.hpp"

namespace docklock::spec {
namespace {

using json = nlohmann::json;

template <class T>
void put(json& j, const char* k, const std::optional<T>& v) {
    if (v) j[k] = *v;
}
void put(json& j, const char* k, const std::string& v) {
    if (!v.empty()) j[k] = v;
}
template <class T>
void put(json& j, const char* k, const std::vector<T>& v) {
    if (!v.empty()) j[k] = v;
}
void put(json& j, const char* k, const std::map<std::string, std::string>& v) {
    if (!v.empty()) j[k] = v;
}

json maps(const std::vector<IdMapping>& v) {
    json a = json::array();
    for (const auto& m : v) a.push_back({{"containerID", m.containerID}, {"hostID", m.hostID}, {"size", m.size}});
    return a;
}

json hook_list(const std::vector<Hook>& hs) {
    json a = json::array();
    for (const auto& h : hs) {
        json o{{"path", h.path}};
        put(o, "args", h.args);
        put(o, "env", h.env);
        put(o, "timeout", h.timeout);
        a.push_back(o);
    }
    return a;
}

json throttles(const std::vector<ThrottleDevice>& v) {
    json a = json::array();
    for (const auto& t : v) a.push_back({{"major", t.major}, {"minor", t.minor}, {"rate", t.rate}});
    return a;
}

json resources(const Resources& r) {
    json o = json::object();
    if (!r.devices.empty()) {
        json a = json::array();
        for (const auto& d : r.devices) {
            json e{{"allow", d.allow}};
            put(e, "type", d.type);
            put(e, "major", d.major);
            put(e, "minor", d.minor);
            put(e, "access", d.access);
            a.push_back(e);
        }
        o["devices"] = a;
    }
    if (r.memory) {
        json m = json::object();
        put(m, "limit", r.memory->limit);
        put(m, "reservation", r.memory->reservation);
        put(m, "swap", r.memory->swap);
        put(m, "kernel", r.memory->kernel);
        put(m, "kernelTCP", r.memory->kernelTCP);
        put(m, "swappiness", r.memory->swappiness);
        put(m, "disableOOMKiller", r.memory->disableOOMKiller);
        put(m, "useHierarchy", r.memory->useHierarchy);
        put(m, "checkBeforeUpdate", r.memory->checkBeforeUpdate);
        o["memory"] = m;
    }
    if (r.cpu) {
        json c = json::object();
        put(c, "shares", r.cpu->shares);
        put(c, "quota", r.cpu->quota);
        put(c, "burst", r.cpu->burst);
        put(c, "period", r.cpu->period);
        put(c, "realtimeRuntime", r.cpu->realtimeRuntime);
        put(c, "realtimePeriod", r.cpu->realtimePeriod);
        put(c, "cpus", r.cpu->cpus);
        put(c, "mems", r.cpu->mems);
        put(c, "idle", r.cpu->idle);
        o["cpu"] = c;
    }
    if (r.pidsLimit) o["pids"] = {{"limit", *r.pidsLimit}};
    if (r.blockIO) {
        json b = json::object();
        put(b, "weight", r.blockIO->weight);
        put(b, "leafWeight", r.blockIO->leafWeight);
        if (!r.blockIO->weightDevice.empty()) {
            json a = json::array();
            for (const auto& w : r.blockIO->weightDevice) {
                json e{{"major", w.major}, {"minor", w.minor}};
                put(e, "weight", w.weight);
                put(e, "leafWeight", w.leafWeight);
                a.push_back(e);
            }
            b["weightDevice"] = a;
        }
        if (!r.blockIO->throttleReadBpsDevice.empty()) b["throttleReadBpsDevice"] = throttles(r.blockIO->throttleReadBpsDevice);
        if (!r.blockIO->throttleWriteBpsDevice.empty())
            b["throttleWriteBpsDevice"] = throttles(r.blockIO->throttleWriteBpsDevice);
        if (!r.blockIO->throttleReadIOPSDevice.empty())
            b["throttleReadIOPSDevice"] = throttles(r.blockIO->throttleReadIOPSDevice);
        if (!r.blockIO->throttleWriteIOPSDevice.empty())
            b["throttleWriteIOPSDevice"] = throttles(r.blockIO->throttleWriteIOPSDevice);
        o["blockIO"] = b;
    }
    if (!r.hugepageLimits.empty()) {
        json a = json::array();
        for (const auto& h : r.hugepageLimits) a.push_back({{"pageSize", h.pageSize}, {"limit", h.limit}});
        o["hugepageLimits"] = a;
    }
    if (r.network) {
        json n = json::object();
        put(n, "classID", r.network->classID);
        if (!r.network->priorities.empty()) {
            json a = json::array();
            for (const auto& p : r.network->priorities) a.push_back({{"name", p.name}, {"priority", p.priority}});
            n["priorities"] = a;
        }
        o["network"] = n;
    }
    if (!r.rdma.empty()) {
        json d = json::object();
        for (const auto& [k, v] : r.rdma) {
            json e = json::object();
            put(e, "hcaHandles", v.hcaHandles);
            put(e, "hcaObjects", v.hcaObjects);
            d[k] = e;
        }
        o["rdma"] = d;
    }
    put(o, "unified", r.unified);
    return o;
}

}  // namespace

json to_json(const Seccomp& s) {
    json o{{"defaultAction", s.defaultAction}};
    put(o, "defaultErrnoRet", s.defaultErrnoRet);
    put(o, "architectures", s.architectures);
    put(o, "flags", s.flags);
    put(o, "listenerPath", s.listenerPath);
    put(o, "listenerMetadata", s.listenerMetadata);
    json a = json::array();
    for (const auto& r : s.syscalls) {
        json e{{"names", r.names}, {"action", r.action}};
        put(e, "errnoRet", r.errnoRet);
        if (!r.args.empty()) {
            json args = json::array();
            for (const auto& x : r.args)
                args.push_back({{"index", x.index}, {"value", x.value}, {"valueTwo", x.valueTwo}, {"op", x.op}});
            e["args"] = args;
        }
        a.push_back(e);
    }
    if (!a.empty()) o["syscalls"] = a;
    return o;
}

json to_json(const Process& p) {
    json o = json::object();
    o["terminal"] = p.terminal;
    if (p.consoleSize) o["consoleSize"] = {{"height", p.consoleSize->height}, {"width", p.consoleSize->width}};
    json u{{"uid", p.user.uid}, {"gid", p.user.gid}};
    put(u, "umask", p.user.umask);
    put(u, "additionalGids", p.user.additionalGids);
    put(u, "username", p.user.username);
    o["user"] = u;
    put(o, "args", p.args);
    put(o, "commandLine", p.commandLine);
    put(o, "env", p.env);
    o["cwd"] = p.cwd;
    if (p.capabilities) {
        json c = json::object();
        const auto& k = *p.capabilities;
        for (auto [name, v] : {std::pair{"bounding", &k.bounding},
                               {"effective", &k.effective},
                               {"inheritable", &k.inheritable},
                               {"permitted", &k.permitted},
                               {"ambient", &k.ambient}})
            c[name] = *v;
        o["capabilities"] = c;
    }
    if (!p.rlimits.empty()) {
        json a = json::array();
        for (const auto& r : p.rlimits) a.push_back({{"type", r.type}, {"hard", r.hard}, {"soft", r.soft}});
        o["rlimits"] = a;
    }
    o["noNewPrivileges"] = p.noNewPrivileges;
    put(o, "apparmorProfile", p.apparmorProfile);
    put(o, "oomScoreAdj", p.oomScoreAdj);
    put(o, "selinuxLabel", p.selinuxLabel);
    if (!p.ioPriority.is_null()) o["ioPriority"] = p.ioPriority;
    if (!p.scheduler.is_null()) o["scheduler"] = p.scheduler;
    if (!p.execCPUAffinity.is_null()) o["execCPUAffinity"] = p.execCPUAffinity;
    return o;
}

json to_json(const Spec& s) {
    json o{{"ociVersion", s.ociVersion}};
    if (s.process) o["process"] = to_json(*s.process);
    o["root"] = {{"path", s.root.path}, {"readonly", s.root.readonly}};
    put(o, "hostname", s.hostname);
    put(o, "domainname", s.domainname);
    json mounts = json::array();
    for (const auto& m : s.mounts) {
        json e{{"destination", m.destination}};
        put(e, "type", m.type);
        put(e, "source", m.source);
        put(e, "options", m.options);
        if (!m.uidMappings.empty()) e["uidMappings"] = maps(m.uidMappings);
        if (!m.gidMappings.empty()) e["gidMappings"] = maps(m.gidMappings);
        mounts.push_back(e);
    }
    o["mounts"] = mounts;
    if (!s.hooks.empty()) {
        json h = json::object();
        for (auto [name, v] : {std::pair{"prestart", &s.hooks.prestart},
                               {"createRuntime", &s.hooks.createRuntime},
                               {"createContainer", &s.hooks.createContainer},
                               {"startContainer", &s.hooks.startContainer},
                               {"poststart", &s.hooks.poststart},
                               {"poststop", &s.hooks.poststop}})
            if (!v->empty()) h[name] = hook_list(*v);
        o["hooks"] = h;
    }
    put(o, "annotations", s.annotations);
    if (s.linux) {
        const Linux& l = *s.linux;
        json x = json::object();
        if (!l.uidMappings.empty()) x["uidMappings"] = maps(l.uidMappings);
        if (!l.gidMappings.empty()) x["gidMappings"] = maps(l.gidMappings);
        put(x, "sysctl", l.sysctl);
        if (l.resources) x["resources"] = resources(*l.resources);
        put(x, "cgroupsPath", l.cgroupsPath);
        json ns = json::array();
        for (const auto& n : l.namespaces) {
            json e{{"type", n.type}};
            put(e, "path", n.path);
            ns.push_back(e);
        }
        x["namespaces"] = ns;
        if (!l.devices.empty()) {
            json a = json::array();
            for (const auto& d : l.devices) {
                json e{{"type", d.type}, {"path", d.path}, {"major", d.major}, {"minor", d.minor}};
                put(e, "fileMode", d.fileMode);
                put(e, "uid", d.uid);
                put(e, "gid", d.gid);
                a.push_back(e);
            }
            x["devices"] = a;
        }
        if (l.seccomp) x["seccomp"] = to_json(*l.seccomp);
        if (!l.seccompStack.empty()) {
            json a = json::array();
            for (const auto& f : l.seccompStack) a.push_back(to_json(f));
            x["org.docklock.seccompStack"] = a;
        }
        if (l.landlock)
            x["org.docklock.landlock"] = {{"noExec", l.landlock->noExec},
                                          {"noWrite", l.landlock->noWrite},
                                          {"scopeSignals", l.landlock->scopeSignals},
                                          {"scopeAbstractUnix", l.landlock->scopeAbstractUnix}};
        put(x, "rootfsPropagation", l.rootfsPropagation);
        put(x, "maskedPaths", l.maskedPaths);
        put(x, "readonlyPaths", l.readonlyPaths);
        put(x, "mountLabel", l.mountLabel);
        if (l.personality) {
            json p{{"domain", l.personality->domain}};
            put(p, "flags", l.personality->flags);
            x["personality"] = p;
        }
        if (!l.timeOffsets.empty()) {
            json t = json::object();
            for (const auto& [k, v] : l.timeOffsets) t[k] = {{"secs", v.secs}, {"nanosecs", v.nanosecs}};
            x["timeOffsets"] = t;
        }
        if (!l.intelRdt.is_null()) x["intelRdt"] = l.intelRdt;
        o["linux"] = x;
    }
    return o;
}

}  // namespace docklock::spec
