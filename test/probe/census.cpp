// census: run inside a container, prints one line-based report of what the container got, for the
// adversarial test (test/integration/adversarial_test.cpp). It only opens and closes: never reads a
// marker's content, never writes anything, never reads a device.
//
//   census [--marker PATH]... [--marker-host MAJ:MIN:HOSTPATH] [--scan DIR]...
//
// --marker PATH       a path where a host marker file might be seen; reported as openable for read/write
// --marker-host D:P   the marker's host device (maj:min) and host path: every mount of that device
//                     whose root is a prefix of P is tried at mountpoint + the rest of P
// --scan DIR          besides /dev, look for device nodes under DIR (one level deep), or DIR itself if one
//
// Lines (space separated, mount points as mountinfo escapes them):
//   status KEY VALUE          CapEff CapPrm CapBnd CapAmb CapInh NoNewPrivs Seccomp
//   ns TYPE INODE             readlink /proc/self/ns/TYPE
//   mount MP FSTYPE MAJ:MIN ROOT MOUNT_OPTS SUPER_OPTS
//   mask MP REL STATE         proc/sysfs masks at every proc and sysfs mount: masked|absent|exposed
//   knob MP REL STATE         a knob that must not open for writing: ro|WRITABLE|absent
//   marker PATH R W           R/W: 1 when open(O_RDONLY)/open(O_WRONLY) succeeded
//   dev PATH MAJ:MIN open|denied
//   end
#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Mount {
    std::string mp, fstype, dev, root, opts, super;
};

std::vector<std::string> split(const std::string& s, char sep = ' ') {
    std::vector<std::string> out;
    std::string cur;
    std::istringstream in(s);
    while (std::getline(in, cur, sep))
        if (!cur.empty()) out.push_back(cur);
    return out;
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size()) {
            out += static_cast<char>(std::strtol(s.substr(i + 1, 3).c_str(), nullptr, 8));
            i += 3;
        } else {
            out += s[i];
        }
    }
    return out;
}

std::vector<Mount> mounts() {
    std::vector<Mount> out;
    std::ifstream f("/proc/self/mountinfo");
    std::string line;
    while (std::getline(f, line)) {
        size_t dash = line.find(" - ");
        if (dash == std::string::npos) continue;
        auto a = split(line.substr(0, dash)), b = split(line.substr(dash + 3));
        if (a.size() < 6 || b.size() < 3) continue;
        out.push_back({a[4], b[0], a[2], a[3], a[5], b[2]});
    }
    return out;
}

bool can_open(const std::string& path, int flags) {
    int fd = open(path.c_str(), flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) return false;
    close(fd);
    return true;
}

// A masked path is /dev/null (1:3), an empty read-only tmpfs, or absent.
const char* mask_state(const std::string& path) {
    struct stat st;
    if (lstat(path.c_str(), &st) != 0) return "absent";
    if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3) return "masked";
    if (S_ISDIR(st.st_mode)) {
        struct statfs sf;
        if (statfs(path.c_str(), &sf) == 0 && sf.f_type == TMPFS_MAGIC) return "masked";
    }
    return "exposed";
}

const char* knob_state(const std::string& path) {
    struct stat st;
    if (lstat(path.c_str(), &st) != 0) return "absent";
    return can_open(path, O_WRONLY) ? "WRITABLE" : "ro";
}

// Names whose mere open has effects or that belong to terminals: never opened.
bool skip_device(const std::string& name) {
    for (const char* p : {"watchdog", "tty", "console", "snapshot", "tpm", "hvc", "ttyS", "pts"})
        if (name.rfind(p, 0) == 0) return true;
    return false;
}

void report_device(const std::string& path, const struct stat& st) {
    bool ok = can_open(path, O_RDONLY);
    std::printf("dev %s %c%u:%u %s\n", path.c_str(), S_ISBLK(st.st_mode) ? 'b' : 'c', major(st.st_rdev), minor(st.st_rdev),
                ok ? "open" : "denied");
}

void scan_devices(const std::string& dir, int depth, int& budget) {
    struct stat top;
    if (lstat(dir.c_str(), &top) == 0 && (S_ISCHR(top.st_mode) || S_ISBLK(top.st_mode))) {  // a bound-in node
        report_device(dir, top);
        return;
    }
    DIR* d = opendir(dir.c_str());
    if (!d) return;
    while (dirent* e = readdir(d)) {
        if (--budget < 0) break;
        std::string name = e->d_name;
        if (name == "." || name == ".." || skip_device(name)) continue;
        std::string path = dir + "/" + name;
        struct stat st;
        if (lstat(path.c_str(), &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            if (depth > 0) scan_devices(path, depth - 1, budget);
            continue;
        }
        if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode)) continue;
        report_device(path, st);
    }
    closedir(d);
}

void marker(const std::string& path) {
    std::printf("marker %s %d %d\n", path.c_str(), can_open(path, O_RDONLY) ? 1 : 0, can_open(path, O_WRONLY) ? 1 : 0);
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> markers, scans{"/dev"};
    std::string host_dev, host_path;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i], v = argv[i + 1];
        if (k == "--marker")
            markers.push_back(v);
        else if (k == "--scan")
            scans.push_back(v);
        else if (k == "--marker-host") {
            size_t c = v.find(':', v.find(':') + 1);
            host_dev = v.substr(0, c);
            host_path = v.substr(c + 1);
        }
    }
    setvbuf(stdout, nullptr, _IOFBF, 1 << 16);

    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        for (const char* k : {"CapEff", "CapPrm", "CapBnd", "CapAmb", "CapInh", "NoNewPrivs", "Seccomp"}) {
            std::string key = std::string(k) + ":";
            if (line.rfind(key, 0) == 0) {
                auto f = split(line.substr(key.size()), '\t');
                std::printf("status %s %s\n", k, f.empty() ? "?" : f[0].c_str());
            }
        }
    }
    for (const char* t : {"pid", "net", "ipc", "uts", "mnt", "cgroup", "user", "time"}) {
        char buf[128] = {};
        std::string p = std::string("/proc/self/ns/") + t;
        ssize_t n = readlink(p.c_str(), buf, sizeof buf - 1);
        std::string v = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "none";
        size_t a = v.find('['), b = v.find(']');
        std::printf("ns %s %s\n", t, a != std::string::npos ? v.substr(a + 1, b - a - 1).c_str() : v.c_str());
    }

    std::vector<Mount> ms = mounts();
    for (const auto& m : ms)
        std::printf("mount %s %s %s %s %s %s\n", m.mp.c_str(), m.fstype.c_str(), m.dev.c_str(), m.root.c_str(), m.opts.c_str(),
                    m.super.c_str());
    // A knob's path under a mount: a bind of a subdirectory (root "/sys" of a proc) drops that prefix.
    auto under = [](const Mount& m, const std::string& rel) -> std::string {
        std::string mp = unescape(m.mp), root = unescape(m.root);
        std::string base = mp == "/" ? "" : mp;
        if (root == "/" || m.fstype == "cgroup" || m.fstype == "cgroup2") return base + "/" + rel;
        std::string r = root.substr(1) + "/";
        if (rel.rfind(r, 0) == 0) return base + "/" + rel.substr(r.size());
        return "";
    };
    auto knob = [&](const Mount& m, const char* rel) {
        std::string p = under(m, rel);
        if (!p.empty()) std::printf("knob %s %s %s\n", m.mp.c_str(), rel, knob_state(p));
    };
    auto mask = [&](const Mount& m, const char* rel) {
        std::string p = under(m, rel);
        if (!p.empty()) std::printf("mask %s %s %s\n", m.mp.c_str(), rel, mask_state(p));
    };
    for (const auto& m : ms) {
        if (m.fstype == "proc") {
            for (const char* r : {"kcore", "keys", "timer_list", "sched_debug", "latency_stats", "acpi", "scsi"}) mask(m, r);
            for (const char* r : {"sys/kernel/core_pattern", "sysrq-trigger", "sys/kernel/modprobe", "sys/vm/drop_caches"})
                knob(m, r);
        } else if (m.fstype == "sysfs") {
            for (const char* r : {"firmware", "devices/virtual/powercap"}) mask(m, r);
            for (const char* r : {"kernel/uevent_helper", "kernel/mm/transparent_hugepage/enabled", "power/state"}) knob(m, r);
        } else if (m.fstype == "cgroup" || m.fstype == "cgroup2") {
            for (const char* r :
                 {"pids.max", "memory.limit_in_bytes", "memory.max", "devices.allow", "cgroup.procs", "release_agent"})
                knob(m, r);
        }
    }

    for (const auto& p : markers) marker(p);
    // The marker's own filesystem wherever it is mounted: mountpoint + (host path - mount root).
    if (!host_dev.empty()) {
        for (const auto& m : ms) {
            std::string root = unescape(m.root), mp = unescape(m.mp);
            if (m.dev != host_dev) continue;
            std::string rest;
            if (root == "/")
                rest = host_path;
            else if (host_path.rfind(root + "/", 0) == 0)
                rest = host_path.substr(root.size());
            else
                continue;
            marker((mp == "/" ? "" : mp) + rest);
        }
    }

    int budget = 5000;
    for (const auto& s : scans) scan_devices(s, s == "/dev" ? 3 : 1, budget);
    std::printf("end\n");
    std::fflush(stdout);
    return 0;
}
