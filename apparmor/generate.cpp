#include "generate.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

#include "../caps/caps.hpp"
#include "../libcontainer/util/error.hpp"
#include "parser.hpp"

namespace docklock::apparmor {
namespace {

class Reader {
public:
    explicit Reader(std::string origin) : origin_(std::move(origin)) {}

    [[noreturn]] void fail(const YAML::Mark& m, const std::string& what) const {
        throw Error(origin_ + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1) + ": " + what);
    }

    std::string scalar(const YAML::Node& n, const std::string& path) const {
        if (!n.IsScalar()) fail(n.Mark(), path + ": expected a string");
        return n.Scalar();
    }

    bool boolean(const YAML::Node& n, const std::string& path) const {
        std::string s = scalar(n, path);
        if (s == "true" || s == "yes") return true;
        if (s == "false" || s == "no") return false;
        fail(n.Mark(), path + ": expected true or false, got \"" + s + "\"");
    }

    // A list of strings, each checked by `check` (returns the error, "" when fine).
    template <class Check>
    std::vector<std::string> list(const YAML::Node& n, const std::string& path, Check check) const {
        if (n.IsNull()) return {};
        if (!n.IsSequence()) fail(n.Mark(), path + ": expected a list");
        std::vector<std::string> out;
        for (size_t i = 0; i < n.size(); ++i) {
            std::string ip = path + "[" + std::to_string(i) + "]";
            std::string v = scalar(n[i], ip);
            if (std::string e = check(v); !e.empty()) fail(n[i].Mark(), ip + ": " + e);
            out.push_back(v);
        }
        return out;
    }

    void keys(const YAML::Node& n, const std::string& path, const std::set<std::string>& known) const {
        if (!n.IsMap()) fail(n.Mark(), (path.empty() ? "the description" : path) + ": expected a map");
        for (auto it = n.begin(); it != n.end(); ++it) {
            std::string k = it->first.Scalar();
            if (!known.count(k)) {
                std::string all;
                for (const auto& x : known) all += (all.empty() ? "" : ", ") + x;
                fail(it->first.Mark(), (path.empty() ? "" : path + ".") + k + ": unknown key (known: " + all + ")");
            }
        }
    }

private:
    std::string origin_;
};

// An AppArmor path glob, absolute (or starting with a variable such as @{PROC}), and nothing that
// would end the rule early.
std::string path_error(const std::string& p) {
    if (p.empty() || (p[0] != '/' && p.rfind("@{", 0) != 0)) return "must be an absolute path";
    for (char c : p)
        if (c == ',' || c == '"' || c == '\n' || c == '\r' || c == '#' || c == '\0')
            return std::string("must not contain ") + (c == '\n'  ? "a newline"
                                                       : c == ',' ? "\",\""
                                                                  : "'" + std::string(1, c) + "'");
    return "";
}

std::string quoted(const std::string& p) {
    return p.find_first_of(" \t") == std::string::npos ? p : "\"" + p + "\"";
}

bool valid_name(const std::string& n) {
    if (n.empty() || n.size() > 200) return false;
    return std::all_of(n.begin(), n.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'; });
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

ProfileDesc parse_description(const std::string& text, const std::string& origin) {
    Reader r(origin);
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::ParserException& e) {
        r.fail(e.mark, "invalid YAML: " + e.msg);
    }
    if (root.IsNull()) throw Error(origin + ": empty description");
    r.keys(root, "", {"name", "filesystem", "capabilities", "network"});
    ProfileDesc d;
    if (root["name"]) {
        d.name = r.scalar(root["name"], "name");
        if (!valid_name(d.name)) r.fail(root["name"].Mark(), "name: letters, digits, '-', '_' and '.' only");
    }
    if (YAML::Node fs = root["filesystem"]; fs && !fs.IsNull()) {
        r.keys(fs, "filesystem", {"read_only", "writable", "log_on_write", "allow_exec", "deny_exec"});
        auto paths = [&](const char* key, std::vector<std::string>& out) {
            if (fs[key]) out = r.list(fs[key], std::string("filesystem.") + key, path_error);
        };
        paths("read_only", d.read_only);
        paths("writable", d.writable);
        paths("log_on_write", d.log_on_write);
        paths("allow_exec", d.allow_exec);
        paths("deny_exec", d.deny_exec);
    }
    if (YAML::Node caps = root["capabilities"]) {
        d.capabilities = r.list(caps, "capabilities", [](const std::string& c) -> std::string {
            return caps::from_name(c) < 0 && caps::from_name("CAP_" + c) < 0 ? "unknown capability \"" + c + "\"" : "";
        });
        for (auto& c : d.capabilities) {
            c = lower(c);
            if (c.rfind("cap_", 0) == 0) c = c.substr(4);
        }
    }
    if (YAML::Node net = root["network"]; net && !net.IsNull()) {
        r.keys(net, "network", {"raw", "packet", "protocols"});
        if (net["raw"]) d.raw = r.boolean(net["raw"], "network.raw");
        if (net["packet"]) d.packet = r.boolean(net["packet"], "network.packet");
        if (net["protocols"])
            d.protocols = r.list(net["protocols"], "network.protocols", [](const std::string& p) -> std::string {
                return p == "tcp" || p == "udp" || p == "icmp" ? "" : "unknown protocol \"" + p + "\" (tcp, udp or icmp)";
            });
    }
    return d;
}

std::string generate(const ProfileDesc& d) {
    if (!valid_name(d.name)) throw Error("AppArmor profile name \"" + d.name + "\": letters, digits, '-', '_' and '.' only");
    std::string o;
    auto line = [&](const std::string& s) { o += "  " + s + "\n"; };
    o += "# Generated by `docklock profile apparmor`: every file is readable, writes only where the\n"
         "# description allows, the kernel's own surface denied.\n";
    o += "abi <abi/3.0>,\n#include <tunables/global>\n\n";
    o += "profile " + d.name + " flags=(attach_disconnected,mediate_deleted) {\n";
    line("#include <abstractions/base>");
    o += "\n";
    for (const auto& p : d.protocols) {
        line("network inet " + p + ",");
        if (p != "icmp") line("network inet6 " + p + ",");  // AppArmor names no ICMPv6 protocol
    }
    line(d.raw ? "network raw," : "deny network raw,");
    line(d.packet ? "network packet," : "deny network packet,");
    line("unix,");
    for (const auto& c : d.capabilities) line("capability " + c + ",");
    o += "\n  # Files: read everything, write only the writable paths.\n";
    line("/{,**} rkm,");
    line("/dev/{null,zero,full,random,urandom,tty,console,ptmx} rw,");
    line("/dev/pts/* rw,");
    for (const auto& p : d.writable) line(quoted(p) + " rwkl,");
    for (const auto& p : d.log_on_write) {
        line("audit " + quoted(p) + " w,");
        line(quoted(p) + " kl,");
    }
    for (const auto& p : d.read_only) line("deny " + quoted(p) + " wl,");
    o += "\n  # Executables.\n";
    if (d.allow_exec.empty()) line("/{,**} ix,");
    for (const auto& p : d.allow_exec) line(quoted(p) + " rmix,");
    for (const auto& p : d.deny_exec) line("deny " + quoted(p) + " mrwklx,");
    o += "\n  # The runtime and the engines outside stop and kill the container; it signals and traces only its own.\n";
    line("signal (receive) peer=unconfined,");
    line("signal (receive) peer={docklock,runc,crun,dockerd,containerd,containerd-shim*},");
    line("signal (send,receive) peer=" + d.name + ",");
    line("ptrace (trace,read,tracedby,readby) peer=" + d.name + ",");
    o += "\n";
    line("deny mount,");
    line("deny remount,");
    line("deny umount,");
    line("deny pivot_root,");
    o += "\n";
    line("deny @{PROC}/* w,");
    line("deny @{PROC}/{[^1-9],[^1-9][^0-9],[^1-9s][^0-9y][^0-9s],[^1-9][^0-9][^0-9][^0-9/]*}/** w,");
    line("deny @{PROC}/sys/[^k]** w,");
    line("deny @{PROC}/sys/kernel/{?,??,[^s][^h][^m]**} w,");
    line("deny @{PROC}/sysrq-trigger rwklx,");
    line("deny @{PROC}/kcore rwklx,");
    line("deny @{PROC}/kmsg rwklx,");
    line("deny /sys/[^f]*/** wklx,");
    line("deny /sys/f[^s]*/** wklx,");
    line("deny /sys/fs/[^c]*/** wklx,");
    line("deny /sys/fs/c[^g]*/** wklx,");
    line("deny /sys/fs/cg[^r]*/** wklx,");
    line("deny /sys/firmware/** rwklx,");
    line("deny /sys/kernel/security/** rwklx,");
    line("deny /sys/kernel/debug/** rwklx,");
    o += "}\n";
    return o;
}

void load_profile(const std::string& text, const std::string& name) {
    run_parser(text, name);
}

}  // namespace docklock::apparmor
