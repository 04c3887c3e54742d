// The baseline against a hostile config.json (issue 14), property-based: a seeded generator takes a
// Docker 20.10 fixture, applies 1-3 hostile deltas drawn from a grammar (mount types x options x
// source path forms x destinations, namespace paths, hooks, devices, cgroupsPath, process fields),
// runs it under the builtin policy with the census probe (test/probe/census.cpp) as the process, and
// checks the invariants from inside (the probe's report) and from the host (a marker dir, a sentinel
// cgroup with a sleeping process, nothing left after delete).
//
// DOCKLOCK_ADV_SEED (default: time) and DOCKLOCK_ADV_COUNT (default 500) drive it; DOCKLOCK_ADV_ONLY=N
// replays iteration N of a seed alone; DOCKLOCK_ADV_VERBOSE=1 prints every case and its outcome;
// DOCKLOCK_ADV_POLICY=off (default builtin) runs the same configs unjudged, where the checks must fire. Every violation prints
// the seed, the iteration, the deltas and the broken invariant; the test fails at the end with a table.
//
// Safety: docklock runs inside a wrapper (a new mount and cgroup namespace whose /sys/fs/cgroup/<h> are
// binds of this test's own sandbox cgroup), so cgroupsPath "/" or a foreign path only ever names the
// sandbox. Namespace paths to join point at the host's pid/ipc/net/cgroup (joining those is harmless
// here) and at a sacrificial mount namespace, never the host's mount or uts namespace. The probe only
// opens and closes; it never writes and never reads a marker.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>

#include "harness.hpp"

using namespace harness;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kFixtures{"default", "privileged", "capadd-all", "seccomp-unconfined", "limits", "bridge-network"};
const std::vector<std::string> kRefusedFixtures{"docker-sock", "host-ns", "hostroot"};

std::string env_or(const char* k, const std::string& d) {
    const char* v = std::getenv(k);
    return v && *v ? v : d;
}

void write_file(const std::string& path, const std::string& s, mode_t mode = 0644) {
    std::ofstream(path) << s;
    chmod(path.c_str(), mode);
}

std::vector<std::string> lines_of(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    std::string l;
    while (std::getline(in, l)) out.push_back(l);
    return out;
}

std::vector<std::string> words(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    std::string w;
    while (in >> w) out.push_back(w);
    return out;
}

uint64_t cap_mask(const std::vector<std::string>& names) {
    static const std::map<std::string, int> bits{{"CAP_CHOWN", 0},
                                                 {"CAP_DAC_OVERRIDE", 1},
                                                 {"CAP_DAC_READ_SEARCH", 2},
                                                 {"CAP_FOWNER", 3},
                                                 {"CAP_FSETID", 4},
                                                 {"CAP_KILL", 5},
                                                 {"CAP_SETGID", 6},
                                                 {"CAP_SETUID", 7},
                                                 {"CAP_SETPCAP", 8},
                                                 {"CAP_LINUX_IMMUTABLE", 9},
                                                 {"CAP_NET_BIND_SERVICE", 10},
                                                 {"CAP_NET_BROADCAST", 11},
                                                 {"CAP_NET_ADMIN", 12},
                                                 {"CAP_NET_RAW", 13},
                                                 {"CAP_IPC_LOCK", 14},
                                                 {"CAP_IPC_OWNER", 15},
                                                 {"CAP_SYS_MODULE", 16},
                                                 {"CAP_SYS_RAWIO", 17},
                                                 {"CAP_SYS_CHROOT", 18},
                                                 {"CAP_SYS_PTRACE", 19},
                                                 {"CAP_SYS_PACCT", 20},
                                                 {"CAP_SYS_ADMIN", 21},
                                                 {"CAP_SYS_BOOT", 22},
                                                 {"CAP_SYS_NICE", 23},
                                                 {"CAP_SYS_RESOURCE", 24},
                                                 {"CAP_SYS_TIME", 25},
                                                 {"CAP_SYS_TTY_CONFIG", 26},
                                                 {"CAP_MKNOD", 27},
                                                 {"CAP_LEASE", 28},
                                                 {"CAP_AUDIT_WRITE", 29},
                                                 {"CAP_AUDIT_CONTROL", 30},
                                                 {"CAP_SETFCAP", 31},
                                                 {"CAP_MAC_OVERRIDE", 32},
                                                 {"CAP_MAC_ADMIN", 33},
                                                 {"CAP_SYSLOG", 34},
                                                 {"CAP_WAKE_ALARM", 35},
                                                 {"CAP_BLOCK_SUSPEND", 36},
                                                 {"CAP_AUDIT_READ", 37},
                                                 {"CAP_PERFMON", 38},
                                                 {"CAP_BPF", 39},
                                                 {"CAP_CHECKPOINT_RESTORE", 40}};
    uint64_t m = 0;
    for (const auto& n : names) {
        auto it = bits.find(n);
        if (it != bits.end()) m |= uint64_t{1} << it->second;
    }
    return m;
}

std::vector<std::string> all_caps() {
    std::vector<std::string> v;
    for (const char* c : {"CAP_CHOWN",
                          "CAP_DAC_OVERRIDE",
                          "CAP_DAC_READ_SEARCH",
                          "CAP_FOWNER",
                          "CAP_FSETID",
                          "CAP_KILL",
                          "CAP_SETGID",
                          "CAP_SETUID",
                          "CAP_SETPCAP",
                          "CAP_LINUX_IMMUTABLE",
                          "CAP_NET_BIND_SERVICE",
                          "CAP_NET_BROADCAST",
                          "CAP_NET_ADMIN",
                          "CAP_NET_RAW",
                          "CAP_IPC_LOCK",
                          "CAP_IPC_OWNER",
                          "CAP_SYS_MODULE",
                          "CAP_SYS_RAWIO",
                          "CAP_SYS_CHROOT",
                          "CAP_SYS_PTRACE",
                          "CAP_SYS_PACCT",
                          "CAP_SYS_ADMIN",
                          "CAP_SYS_BOOT",
                          "CAP_SYS_NICE",
                          "CAP_SYS_RESOURCE",
                          "CAP_SYS_TIME",
                          "CAP_SYS_TTY_CONFIG",
                          "CAP_MKNOD",
                          "CAP_LEASE",
                          "CAP_AUDIT_WRITE",
                          "CAP_AUDIT_CONTROL",
                          "CAP_SETFCAP",
                          "CAP_MAC_OVERRIDE",
                          "CAP_MAC_ADMIN",
                          "CAP_SYSLOG",
                          "CAP_WAKE_ALARM",
                          "CAP_BLOCK_SUSPEND",
                          "CAP_AUDIT_READ",
                          "CAP_PERFMON",
                          "CAP_BPF",
                          "CAP_CHECKPOINT_RESTORE"})
        v.push_back(c);
    return v;
}

std::string ns_inode(const std::string& link) {
    char buf[128] = {};
    ssize_t n = readlink(link.c_str(), buf, sizeof buf - 1);
    std::string v = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
    size_t a = v.find('['), b = v.find(']');
    return a == std::string::npos ? v : v.substr(a + 1, b - a - 1);
}

struct FileStamp {
    std::string content;
    struct timespec atime {
    }, mtime{};
    bool operator==(const FileStamp& o) const {
        return content == o.content && atime.tv_sec == o.atime.tv_sec && atime.tv_nsec == o.atime.tv_nsec &&
               mtime.tv_sec == o.mtime.tv_sec && mtime.tv_nsec == o.mtime.tv_nsec;
    }
};

// Read without touching the atime (O_NOATIME): the atime is the evidence of a read from inside.
FileStamp stamp(const std::string& path) {
    FileStamp s;
    int fd = open(path.c_str(), O_RDONLY | O_NOATIME | O_CLOEXEC);
    if (fd >= 0) {
        char buf[4096];
        ssize_t n;
        while ((n = ::read(fd, buf, sizeof buf)) > 0) s.content.append(buf, static_cast<size_t>(n));
        close(fd);
    }
    struct stat st;
    if (stat(path.c_str(), &st) == 0) {
        s.atime = st.st_atim;
        s.mtime = st.st_mtim;
    }
    return s;
}

std::set<std::string> list_dir(const std::string& dir) {
    std::set<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) out.insert(e.path().filename().string());
    return out;
}

// Everything the test sets up once: the sandbox cgroups, the sentinel, the marker, the wrapper.
struct World {
    std::string dir;    // /tmp/docklock-adv-XXXXXX
    std::string state;  // docklock's --root for these containers: dir/state, gone with dir
    std::string marker_dir, marker_file, token, scratch, witness, hookbin;
    std::string sandbox;                   // "docklock-adv-<pid>" under every hierarchy
    std::string v2_root;                   // the hybrid host's cgroup2 sandbox (the wrapper only)
    std::vector<std::string> hierarchies;  // names under /sys/fs/cgroup that are cgroup mounts
    int sentinel = -1, mntns_holder = -1;
    std::string sentinel_pids_max = "77";
    FileStamp marker_stamp;
    dev_t marker_dev = 0;
    std::map<std::string, std::string> host_ns;
    uint64_t allow_caps = 0;
    std::map<std::string, std::string> ns_modes;  // "pid" -> "reject"...

    std::string root(const std::string& h) const { return "/sys/fs/cgroup/" + h + "/" + sandbox; }

    void make_cgroup(const std::string& h, const std::string& path) {
        mkdir(path.c_str(), 0755);
        if (h == "cpuset") {
            std::string parent = path.substr(0, path.rfind('/'));
            for (const char* f : {"cpuset.cpus", "cpuset.mems"}) write_file(path + "/" + f, read(parent + "/" + f));
        }
    }

    void start_sentinel() {
        int p[2];
        if (pipe(p)) abort();
        pid_t pid = fork();
        if (pid == 0) {
            close(p[0]);
            for (const auto& h : hierarchies) std::ofstream(root(h) + "/sentinel/cgroup.procs") << getpid() << "\n";
            close(p[1]);
            execl("/bin/sleep", "sleep", "100000", nullptr);
            _exit(127);
        }
        close(p[1]);
        char c;
        while (::read(p[0], &c, 1) > 0) {
        }
        close(p[0]);
        sentinel = pid;
        write_file(root("pids") + "/sentinel/pids.max", sentinel_pids_max + "\n");
    }

    void reset_marker() {
        for (const auto& n : list_dir(marker_dir))
            if (n != "token") fs::remove_all(marker_dir + "/" + n);
        write_file(marker_file, token + "\n", 0644);
        // atime well before mtime: any read of the token updates it (relatime).
        struct timespec ts[2] = {{1000000000, 0}, {0, UTIME_OMIT}};
        utimensat(AT_FDCWD, marker_file.c_str(), ts, 0);
        marker_stamp = stamp(marker_file);
        struct stat st;
        stat(marker_file.c_str(), &st);
        marker_dev = st.st_dev;
    }

    void setup(uint64_t seed) {
        char tmpl[] = "/tmp/docklock-adv-XXXXXX";
        dir = mkdtemp(tmpl);
        chmod(dir.c_str(), 0755);
        marker_dir = dir + "/marker";
        marker_file = marker_dir + "/token";
        scratch = dir + "/scratch";
        state = dir + "/state";
        witness = dir + "/witness";
        hookbin = dir + "/bin";
        for (const auto& d : {marker_dir, scratch, witness, hookbin}) mkdir(d.c_str(), 0755);
        token = "ADVTOKEN" + std::to_string(std::mt19937_64(seed ^ 0x5eed)());
        reset_marker();

        sandbox = "docklock-adv-" + std::to_string(getpid());
        for (const auto& e : fs::directory_iterator("/sys/fs/cgroup")) {
            std::string h = e.path().filename().string();
            // The hybrid host's cgroup2 (/sys/fs/cgroup/unified) is hidden from docklock under a tmpfs in
            // the wrapper: a v2 sandbox root cannot hold the wrapper once docklock enabled a controller in it.
            if (h != "unified" && exists(e.path().string() + "/cgroup.procs")) hierarchies.push_back(h);
        }
        for (const auto& h : hierarchies) {
            make_cgroup(h, root(h));
            make_cgroup(h, root(h) + "/sentinel");
            make_cgroup(h, root(h) + "/wrapper");
        }
        // cgroup2: the wrapper sits in <sandbox>/wrapper, so the wrapper's cgroup namespace is rooted below
        // the host's cgroup2 mount and docklock skips that hierarchy (its mountinfo root is not "/").
        if (exists("/sys/fs/cgroup/unified/cgroup.procs")) {
            v2_root = "/sys/fs/cgroup/unified/" + sandbox;
            mkdir(v2_root.c_str(), 0755);
            mkdir((v2_root + "/wrapper").c_str(), 0755);
        }
        start_sentinel();

        // A sacrificial mount namespace to name in linux.namespaces (never the host's).
        mntns_holder = fork();
        if (mntns_holder == 0) {
            if (unshare(CLONE_NEWNS) != 0) _exit(1);
            execl("/bin/sleep", "sleep", "100000", nullptr);
            _exit(127);
        }
        for (int i = 0; i < 100 && ns_inode("/proc/" + std::to_string(mntns_holder) + "/ns/mnt") == ns_inode("/proc/self/ns/mnt");
             ++i)
            usleep(10000);

        for (const char* t : {"pid", "net", "ipc", "uts", "mnt", "cgroup"})
            host_ns[t] = ns_inode(std::string("/proc/self/ns/") + t);

        // The hook: records the confinement it ran under, on the host (marker dir) or in the container (/.w).
        std::string hook =
            "#!/bin/sh\ns=\"$(grep -E '^(CapEff|Seccomp|NoNewPrivs):' /proc/self/status | tr '\\n\\t' '  ')\"\n"
            "echo \"$s\" > " +
            marker_dir + "/hook-$1 2>/dev/null\necho \"$s\" > /.w/hook-$1 2>/dev/null\nexit 0\n";
        for (const char* n : {"dockerd", "containerd"}) write_file(hookbin + "/" + n, hook, 0755);
        write_file(dir + "/hook.sh", hook, 0755);

        // The wrapper: join the sandbox root, new mount + cgroup namespace rooted there, bind each
        // hierarchy's sandbox over it, move to sandbox/wrapper, then run, delete and report.
        std::string procs = v2_root.empty() ? "" : " " + v2_root + "/wrapper/cgroup.procs", hs;
        for (const auto& h : hierarchies) {
            procs += " " + root(h) + "/cgroup.procs";
            hs += " " + h;
        }
        write_file(dir + "/outer.sh",
                   "#!/bin/sh\nfor f in" + procs +
                       "; do echo $$ > $f || { echo \"cannot join $f\" >&2; exit 90; }; done\n"
                       "exec unshare -m -C --propagation unchanged /bin/sh " +
                       dir + "/inner.sh \"$@\"\n",
                   0755);
        write_file(dir + "/inner.sh",
                   "mount --make-rprivate /sys/fs/cgroup 2>/dev/null\n"
                   "if [ -d /sys/fs/cgroup/unified ]; then mount -t tmpfs -o ro adv-no-v2 /sys/fs/cgroup/unified || exit 93; fi\n"
                   "for h in" +
                       hs + "; do mount --bind /sys/fs/cgroup/$h/" + sandbox +
                       " /sys/fs/cgroup/$h || exit 91; echo $$ > /sys/fs/cgroup/$h/wrapper/cgroup.procs || exit 92; done\n"
                       "\"$3\" --root \"$4\" --policy \"$6\" run --bundle \"$1\" \"$2\" 2>\"$5\"\n"
                       "echo \"@@run=$?\"\n"
                       "\"$3\" --root \"$4\" delete --force \"$2\" >/dev/null 2>&1\n"
                       "echo \"@@mounts=$(grep -c -F \"$1\" /proc/self/mountinfo)\"\n",
                   0755);

        Result r = run({DOCKLOCK_BIN, "--policy", "builtin", "policy", "show", "--format", "json"});
        json p = json::parse(r.out);
        allow_caps = cap_mask(p["controls"]["capabilities"]["allow"].get<std::vector<std::string>>());
        for (const char* t : {"pid", "ipc", "net", "uts", "cgroup"})
            ns_modes[t] = p["controls"][std::string("namespaces.") + t]["mode"].get<std::string>();
    }

    void teardown() {
        for (int pid : {sentinel, mntns_holder})
            if (pid > 0) {
                kill(pid, SIGKILL);
                waitpid(pid, nullptr, 0);
            }
        for (const auto& h : hierarchies) {
            kill_leftovers(h, root(h), {});
            remove_cgroups(root(h));
        }
        if (!v2_root.empty()) {
            kill_leftovers("unified", v2_root, {});
            remove_cgroups(v2_root);
        }
        run({"rm", "-rf", dir});
    }

    // Pids under a sandbox cgroup other than the sentinel's; they are killed.
    std::vector<int> kill_leftovers(const std::string& h, const std::string& path, const std::set<int>& keep) {
        std::vector<int> out;
        (void)h;
        for (const auto& w : words(read(path + "/cgroup.procs"))) {
            int pid = std::atoi(w.c_str());
            if (keep.count(pid)) continue;
            out.push_back(pid);
            kill(pid, SIGKILL);
        }
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(path, ec))
            if (e.is_directory()) {
                auto more = kill_leftovers(h, e.path().string(), keep);
                out.insert(out.end(), more.begin(), more.end());
            }
        return out;
    }

    // The cgroup dirs under the sandbox that are not the test's own: top-level ones besides sentinel and
    // wrapper, and any below those two (a relative cgroupsPath lands under the wrapper's cgroup).
    std::vector<std::string> case_cgroups(const std::string& h) const {
        std::vector<std::string> out;
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(root(h), ec)) {
            if (!e.is_directory()) continue;
            std::string n = e.path().filename().string();
            if (n != "sentinel" && n != "wrapper") {
                out.push_back(e.path().string());
                continue;
            }
            std::error_code ec2;
            for (const auto& f : fs::directory_iterator(e.path(), ec2))
                if (f.is_directory()) out.push_back(f.path().string());
        }
        return out;
    }

    static void remove_cgroups(const std::string& path) {
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(path, ec))
            if (e.is_directory()) remove_cgroups(e.path().string());
        rmdir(path.c_str());
    }
};

// One generated case.
struct Case {
    json config;
    json deltas = json::array();
    std::vector<std::string> markers;  // candidate paths of the marker inside
    std::vector<std::string> scans;
    std::vector<std::string> links;             // symlinks made for this case (removed after)
    std::set<std::string> marker_volume_dests;  // binds whose object is the marker dir: a permitted volume
    bool host_hooks = false;
};

class Gen {
public:
    Gen(World& w, Bundle& b, uint64_t seed) : w_(w), b_(b), rng_(seed) {}

    template <class T>
    const T& pick(const std::vector<T>& v) {
        return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng_)];
    }
    int upto(int n) { return std::uniform_int_distribution<int>(0, n)(rng_); }
    bool coin() { return upto(1) == 1; }

    Case make(const std::string& id) {
        Case c;
        // Mostly the ordinary fixtures, so that a good share runs and the inside invariants are exercised;
        // hostroot, host-ns and docker-sock are refused whatever the deltas (they check refusals stay clean).
        std::string fixture = upto(19) < 2 ? pick(kRefusedFixtures) : pick(kFixtures);
        use_fixture(b_, fixture);
        c.config = b_.config;
        c.deltas.push_back({{"fixture", fixture}});
        int r = upto(9), n = r < 6 ? 1 : r < 9 ? 2 : 3;
        for (int i = 0; i < n; ++i) delta(c, id, i);
        return c;
    }

private:
    World& w_;
    Bundle& b_;
    std::mt19937_64 rng_;

    // target: "marker" (the host marker dir) or "root" (the host's /). Returns the source string.
    std::string path_form(Case& c, const std::string& target, const std::string& id, int k, std::string* form) {
        std::string t = target == "marker" ? w_.marker_dir : "/";
        std::vector<std::string> forms{"absolute",       "relative",    "bundle-symlink", "rootfs-symlink",
                                       "proc-self-root", "proc-1-root", "dotdot"};
        *form = pick(forms);
        std::string rest = t == "/" ? "" : t.substr(1);
        if (*form == "absolute") return t;
        if (*form == "relative") return "../../../../../../../../" + rest;
        if (*form == "proc-self-root") return "/proc/self/root" + (t == "/" ? std::string("/") : t);
        if (*form == "proc-1-root") return "/proc/1/root" + (t == "/" ? std::string("/") : t);
        if (*form == "dotdot") return t == "/" ? w_.marker_dir + "/../../../../" : w_.marker_dir + "/../marker/./";
        std::string name = "lnk-" + id + "-" + std::to_string(k);
        std::string at = *form == "bundle-symlink" ? b_.dir + "/" + name : b_.dir + "/rootfs/" + name;
        std::error_code ec;
        fs::create_symlink(t, at, ec);
        c.links.push_back(at);
        return coin() && *form == "bundle-symlink" ? name : at;
    }

    // Option orders for a filesystem type: no bind option (with one, the mount is a bind of the source
    // string, e.g. "proc" under the bundle, which names nothing and is refused; that form is kept rarely).
    json fs_options() {
        if (upto(9) == 0) return options();
        static const std::vector<std::vector<std::string>> sets{{"ro", "rw"},
                                                                {"nosuid", "nodev", "suid", "dev"},
                                                                {"rw", "exec", "suid"},
                                                                {"ro"},
                                                                {"ro", "rw", "shared"},
                                                                {"noexec", "nosuid", "nodev", "exec", "suid", "dev", "rw"},
                                                                {}};
        json o = json::array();
        for (const auto& x : pick(sets)) o.push_back(x);
        return o;
    }

    json options() {
        static const std::vector<std::vector<std::string>> sets{{"ro", "rw"},
                                                                {"rbind", "ro", "rw"},
                                                                {"nosuid", "nodev", "suid", "dev"},
                                                                {"rbind", "rrw"},
                                                                {"rbind"},
                                                                {"bind", "rw"},
                                                                {"ro"},
                                                                {"rbind", "rshared"},
                                                                {"rbind", "shared"},
                                                                {"rw", "exec", "suid"},
                                                                {"rbind", "ro", "rw", "rshared"},
                                                                {}};
        json o = json::array();
        for (const auto& s : pick(sets)) o.push_back(s);
        return o;
    }

    void mount_delta(Case& c, const std::string& id, int k) {
        static const std::vector<std::string> types{
            "bind",    "proc",       "sysfs",    "cgroup", "cgroup2", "tmpfs",  "ext4", "overlay", "binfmt_misc", "debugfs",
            "tracefs", "securityfs", "configfs", "bpf",    "mqueue",  "devpts", "bind", "bind",    "proc",        "sysfs"};
        static const std::vector<std::string> dests{"/proc", "/sys", "/p2", "/p2", "/p3", "/sys/fs/cgroup", "/proc/sys", "/dev"};
        std::string type = pick(types), dest = pick(dests);
        json m{{"type", type}, {"destination", dest}, {"options", type == "bind" ? options() : fs_options()}};
        std::string form;
        if (type == "bind") {
            // Host objects only at scratch destinations: never the host's / or a host dir under
            // /proc, /sys or /dev, where docklock itself would create files or mask targets.
            bool special = dest == "/proc" || dest == "/sys" || dest == "/sys/fs/cgroup" || dest == "/proc/sys" || dest == "/dev";
            static const std::vector<std::string> objs{"marker", "root", "root", "hostproc-sys", "hostcgroup", "hostdev-node"};
            std::string obj = special ? "scratch" : pick(objs);
            if (obj == "scratch") {
                m["source"] = w_.scratch;
            } else if (obj == "hostproc-sys") {
                m["source"] = "/proc/sys";
            } else if (obj == "hostcgroup") {
                m["source"] = pick(std::vector<std::string>{"/sys/fs/cgroup/pids", "/sys/fs/cgroup", "/sys/fs/cgroup/devices"});
            } else if (obj == "hostdev-node") {
                std::string node = pick(std::vector<std::string>{"/dev/vda", "/dev/kmsg", "/dev/loop-control", "/dev/fuse"});
                m["source"] = node;
                dest = "/dev/x" + node.substr(5);
                m["destination"] = dest;
                c.scans.push_back(dest);
            } else {
                m["source"] = path_form(c, obj, id, k, &form);
                m["pathform"] = form;
                if (obj == "marker") {
                    c.markers.push_back(dest + "/token");
                    c.marker_volume_dests.insert(dest);
                } else {
                    c.markers.push_back(dest + w_.marker_file);
                }
            }
        } else if (type == "ext4") {
            m["source"] = "/dev/vda";
            if (dest == "/p2" || dest == "/p3")
                c.markers.push_back(dest + w_.marker_file);
            else
                m["destination"] = dest = "/p2", c.markers.push_back(dest + w_.marker_file);
            c.scans.push_back(dest);  // with a bind option it is a bind of the device node itself
        } else if (type == "overlay") {
            std::string target = coin() ? "marker" : "root";
            std::string lower = path_form(c, target, id, k, &form);
            m["pathform"] = form;
            m["source"] = "overlay";
            if (dest != "/p2" && dest != "/p3") m["destination"] = dest = "/p2";
            std::string opt = "lowerdir=" + lower;
            if (coin()) {
                std::string u = w_.scratch + "/ovl-" + id + "-" + std::to_string(k);
                fs::create_directories(u + "/u");
                fs::create_directories(u + "/w");
                opt += ",upperdir=" + u + "/u,workdir=" + u + "/w";
            }
            json o = m["options"];
            o.push_back(opt);
            m["options"] = o;
            c.markers.push_back(dest + (target == "marker" ? std::string("/token") : w_.marker_file));
        } else {
            m["source"] = type == "cgroup" || type == "cgroup2" ? type : type;
            if (type == "cgroup" || type == "sysfs") {
                json o = m["options"];
                o.push_back("rw");  // a trailing rw
                m["options"] = o;
            }
            if (type == "proc") c.markers.push_back(dest + "/1/root" + w_.marker_file);
            c.scans.push_back(dest);
        }
        c.config["mounts"].push_back(m);
        c.deltas.push_back({{"mount", m}});
    }

    // Allowed mount types with hostile option orders, the fixture's own mounts edited, permitted volumes
    // (the marker dir itself, reachable by design) and scratch binds asking for suid/dev: the baseline
    // rewrites these rather than refusing them, so the container runs and the inside checks see them.
    void allowed_mount_delta(Case& c, const std::string& id, int k) {
        auto& ms = c.config["mounts"];
        auto edit = [&](const std::string& dest, const std::vector<std::string>& add) -> bool {
            for (auto& m : ms)
                if (m.value("destination", "") == dest) {
                    json o = m.value("options", json::array());
                    for (const auto& a : add) o.push_back(a);
                    m["options"] = o;
                    c.deltas.push_back({{"edit", {{"destination", dest}, {"append", add}}}});
                    return true;
                }
            return false;
        };
        std::string form;
        switch (upto(9)) {
            case 0: edit("/sys", {"rw"}); return;
            case 1: edit("/sys/fs/cgroup", {pick(std::vector<std::string>{"rw", "rw,rw", "suid"})}); return;
            case 2: edit("/proc", {"ro", "rw", "suid", "dev"}); return;
            case 3: edit("/dev", {"suid", "dev", "exec"}); return;
            case 4: {
                for (auto& m : ms)
                    if (m.value("destination", "") == "/sys/fs/cgroup")
                        m["type"] = "cgroup2", m["source"] = "cgroup2", m["options"] = fs_options();
                c.deltas.push_back({{"edit", {{"destination", "/sys/fs/cgroup"}, {"type", "cgroup2"}}}});
                return;
            }
            case 5:
            case 6: {  // the marker dir as a volume: permitted, and only there may the marker be seen
                std::string dest = pick(std::vector<std::string>{"/p2", "/p3", "/mnt/vol"});
                json m{{"type", "bind"},
                       {"destination", dest},
                       {"source", path_form(c, "marker", id, k, &form)},
                       {"options", options()},
                       {"pathform", form}};
                c.marker_volume_dests.insert(dest);
                c.markers.push_back(dest + "/token");
                ms.push_back(m);
                c.deltas.push_back({{"mount", m}});
                return;
            }
            case 7: {
                json o = options();
                for (const char* x : {"suid", "dev", "exec"}) o.push_back(x);
                json m{{"type", "bind"}, {"destination", "/p2"}, {"source", w_.scratch}, {"options", o}};
                ms.push_back(m);
                c.deltas.push_back({{"mount", m}});
                return;
            }
            default: {
                std::string type = pick(std::vector<std::string>{"tmpfs", "mqueue", "devpts", "tmpfs"});
                std::string dest = pick(std::vector<std::string>{"/p2", "/p3", "/run/x"});
                json m{{"type", type}, {"destination", dest}, {"source", type}, {"options", fs_options()}};
                ms.push_back(m);
                c.scans.push_back(dest);
                c.deltas.push_back({{"mount", m}});
                return;
            }
        }
    }

    // Config-level fields the baseline must put back: masks, read-only paths, seccomp, propagation.
    void config_delta(Case& c) {
        auto& l = c.config["linux"];
        switch (upto(4)) {
            case 0: l.erase("maskedPaths"), c.deltas.push_back({{"linux", "maskedPaths erased"}}); break;
            case 1: l["readonlyPaths"] = json::array(), c.deltas.push_back({{"linux", "readonlyPaths empty"}}); break;
            case 2: l.erase("seccomp"), c.deltas.push_back({{"linux", "seccomp erased"}}); break;
            case 3: {
                std::string p = coin() ? "shared" : "rshared";
                l["rootfsPropagation"] = p;
                c.deltas.push_back({{"linux", "rootfsPropagation " + p}});
                break;
            }
            default:
                l["maskedPaths"] = json::array(), l["readonlyPaths"] = json::array();
                c.deltas.push_back({{"linux", "maskedPaths and readonlyPaths empty"}});
                break;
        }
    }

    void ns_delta(Case& c) {
        static const std::vector<std::string> types{"pid", "ipc", "network", "cgroup", "mount", "uts"};
        std::string t = pick(types);
        static const std::vector<std::string> forms{"proc1", "symlink", "missing", "mntns"};
        std::string form = pick(forms);
        std::string nsname = t == "network" ? "net" : t == "mount" ? "mnt" : t;
        std::string path;
        if (t == "mount" || t == "uts" || form == "mntns") {
            // never the host's mount or uts namespace: the sacrificial holder's
            path = "/proc/" + std::to_string(w_.mntns_holder) + "/ns/" + (form == "mntns" ? std::string("mnt") : nsname);
        } else if (form == "proc1") {
            path = "/proc/1/ns/" + nsname;
        } else if (form == "symlink") {
            std::string at = b_.dir + "/ns-" + nsname;
            std::error_code ec;
            fs::remove(at, ec);
            fs::create_symlink("/proc/1/ns/" + nsname, at, ec);
            c.links.push_back(at);
            path = at;
        } else {
            path = "/nonexistent/ns/" + nsname;
        }
        auto& nss = c.config["linux"]["namespaces"];
        bool found = false;
        for (auto& n : nss)
            if (n["type"] == t) n["path"] = path, found = true;
        if (!found) nss.push_back({{"type", t}, {"path", path}});
        // Never let a joined host namespace carry host writes: no sysctls, no hostname.
        c.config["linux"].erase("sysctl");
        if (t == "uts") c.config.erase("hostname");
        c.deltas.push_back({{"namespace", {{"type", t}, {"path", path}, {"form", form}}}});
    }

    void hook_delta(Case& c) {
        static const std::vector<std::string> kinds{"prestart",       "createRuntime", "createContainer",
                                                    "startContainer", "poststart",     "poststop"};
        std::string kind = pick(kinds);
        static const std::vector<std::string> where{"tmp-dockerd", "tmp-containerd", "rootfs-dockerd", "container-dockerd"};
        std::string wh = pick(where);
        std::string path;
        if (wh == "tmp-dockerd")
            path = w_.hookbin + "/dockerd";
        else if (wh == "tmp-containerd")
            path = w_.hookbin + "/containerd";
        else {
            std::string in = "/usr/local/bin/dockerd";
            fs::create_directories(b_.dir + "/rootfs/usr/local/bin");
            if (!exists(b_.dir + "/rootfs" + in)) fs::copy_file(w_.dir + "/hook.sh", b_.dir + "/rootfs" + in);
            chmod((b_.dir + "/rootfs" + in).c_str(), 0755);
            path = wh == "rootfs-dockerd" ? b_.dir + "/rootfs" + in : in;
        }
        c.config["hooks"][kind].push_back({{"path", path}, {"args", {"dockerd", kind}}});
        c.deltas.push_back({{"hook", {{"kind", kind}, {"path", path}}}});
    }

    void device_delta(Case& c) {
        auto& r = c.config["linux"]["resources"];
        switch (upto(5)) {
            case 0: r["devices"] = json::array({{{"allow", true}, {"access", "rwm"}}}); break;
            case 4: r["devices"] = json::array({{{"allow", false}, {"access", "rwm"}}}); break;
            case 1: r.erase("devices"); break;
            case 2:
                r["devices"] = json::array({{{"allow", false}, {"type", "c"}, {"major", 10}, {"minor", 229}, {"access", "rwm"}}});
                break;
            default: break;
        }
        static const std::vector<json> nodes{{{"path", "/dev/xvda"}, {"type", "b"}, {"major", 254}, {"minor", 0}},
                                             {{"path", "/dev/xkmsg"}, {"type", "c"}, {"major", 1}, {"minor", 11}},
                                             {{"path", "/dev/xmem"}, {"type", "c"}, {"major", 1}, {"minor", 1}},
                                             {{"path", "/dev/xloop-control"}, {"type", "c"}, {"major", 10}, {"minor", 237}}};
        if (upto(2) == 0) c.config["linux"]["devices"].push_back(pick(nodes));
        c.deltas.push_back(
            {{"devices", {{"rules", r.value("devices", json())}, {"nodes", c.config["linux"].value("devices", json())}}}});
    }

    void cgroup_delta(Case& c, const std::string& id) {
        static const std::vector<std::string> forms{
            "/", "..", "/sentinel", "/sentinel/../sentinel", "/adv/../sentinel", "sentinel", "/adv", "relative", "deep", "deep"};
        std::string f = pick(forms);
        std::string p = f == "relative" ? "adv-" + id : f == "deep" ? "/adv/" + id + "/a/b" : f;
        c.config["linux"]["cgroupsPath"] = p;
        c.deltas.push_back({{"cgroupsPath", p}});
    }

    void process_delta(Case& c) {
        auto& p = c.config["process"];
        json d;
        switch (upto(6)) {
            case 6:  // root with the disk group: a bound-in block device would open by its mode
                p["user"] = {{"uid", 0}, {"gid", 0}, {"additionalGids", {6, 0}}}, d["user"] = "0 + disk";
                break;
            case 0: {
                json caps = all_caps();
                p["capabilities"] = {
                    {"bounding", caps}, {"effective", caps}, {"permitted", caps}, {"inheritable", caps}, {"ambient", caps}};
                d["capabilities"] = "ALL";
                break;
            }
            case 1: p["noNewPrivileges"] = false, d["noNewPrivileges"] = false; break;
            case 2: p["apparmorProfile"] = "unconfined", d["apparmorProfile"] = "unconfined"; break;
            case 3: p["user"] = {{"uid", 0}, {"gid", 0}}, d["user"] = 0; break;
            case 4: p["oomScoreAdj"] = -1000, d["oomScoreAdj"] = -1000; break;
            default:
                p["rlimits"] =
                    json::array({{{"type", "RLIMIT_NOFILE"}, {"hard", 1048576}, {"soft", 1048576}},
                                 {{"type", "RLIMIT_MEMLOCK"}, {"hard", 1099511627776ull}, {"soft", 1099511627776ull}}});
                d["rlimits"] = "huge";
                break;
        }
        c.deltas.push_back({{"process", d}});
    }

    // Weights out of 20: hostile mounts 4, allowed-but-hostile mounts 5, process 3, config 3, devices 2,
    // namespaces, hooks and cgroupsPath 1 each (these are refused nearly always).
    void delta(Case& c, const std::string& id, int k) {
        int r = upto(19);
        if (r < 4)
            mount_delta(c, id, k);
        else if (r < 9)
            allowed_mount_delta(c, id, k);
        else if (r < 12)
            process_delta(c);
        else if (r < 15)
            config_delta(c);
        else if (r < 17)
            device_delta(c);
        else if (r < 18)
            ns_delta(c);
        else if (r < 19)
            hook_delta(c);
        else
            cgroup_delta(c, id);
    }
};

struct Violation {
    std::string invariant, detail;
};

bool dev_allowed(const std::string& mm) {  // "c1:3"
    static const std::set<std::string> ok{"c1:3", "c1:5", "c1:7", "c1:8", "c1:9", "c5:0", "c5:1", "c5:2"};
    return ok.count(mm) || mm.rfind("c136:", 0) == 0;
}

// The invariants on the probe's report.
void check_report(const World& w, const Case& c, const std::string& out, std::vector<Violation>& v) {
    std::map<std::string, std::string> status, ns;
    struct M {
        std::string mp, fstype, dev, root, opts, super;
    };
    std::vector<M> mounts;
    for (const auto& l : lines_of(out)) {
        auto f = words(l);
        if (f.empty()) continue;
        if (f[0] == "status" && f.size() == 3)
            status[f[1]] = f[2];
        else if (f[0] == "ns" && f.size() == 3)
            ns[f[1]] = f[2];
        else if (f[0] == "mount" && f.size() == 7)
            mounts.push_back({f[1], f[2], f[3], f[4], f[5], f[6]});
        else if (f[0] == "mask" && f.size() == 4 && f[3] == "exposed")
            v.push_back({"masks hold on every proc/sysfs mount", f[1] + "/" + f[2] + " exposed"});
        else if (f[0] == "knob" && f.size() == 4 && f[3] == "WRITABLE") {
            std::string fstype;
            for (const auto& m : mounts)
                if (m.mp == f[1]) fstype = m.fstype;
            v.push_back({fstype.rfind("cgroup", 0) == 0 ? "cgroup files not writable" : "proc/sysfs knobs not writable",
                         f[1] + "/" + f[2] + " opens for writing (" + fstype + ")"});
        } else if (f[0] == "marker" && f.size() == 4 && (f[2] == "1" || f[3] == "1")) {
            // Through a bind of the marker dir itself (a permitted volume) it may be reached.
            bool volume = false;
            for (const auto& d : c.marker_volume_dests)
                if (f[1] == d + "/token") volume = true;
            if (!volume)
                v.push_back({"host marker not reachable", f[1] + (f[3] == "1" ? " opens for writing" : " opens for reading")});
        } else if (f[0] == "dev" && f.size() == 4 && f[3] == "open" && !dev_allowed(f[2]))
            v.push_back({"no device beyond the allowlist", f[1] + " " + f[2] + " opens"});
    }
    if (out.find("\nend") == std::string::npos && out.rfind("end", 0) != 0) {
        v.push_back({"report complete", "the probe's report has no end line"});
        return;
    }
    auto hexcaps = [&](const std::string& k) { return std::strtoull(status[k].c_str(), nullptr, 16); };
    for (const char* k : {"CapEff", "CapPrm", "CapBnd", "CapAmb"})
        if (hexcaps(k) & ~w.allow_caps) v.push_back({"capabilities within the allowlist", std::string(k) + "=" + status[k]});
    if (status["NoNewPrivs"] != "1") v.push_back({"NoNewPrivs 1", "NoNewPrivs=" + status["NoNewPrivs"]});
    if (status["Seccomp"] != "2") v.push_back({"seccomp filter present", "Seccomp=" + status["Seccomp"]});
    for (const auto& [t, ino] : w.host_ns) {
        std::string mode = t == "mnt" ? "reject" : w.ns_modes.count(t) ? w.ns_modes.at(t) : "reject";
        if ((mode == "reject" || mode == "enforce") && ns[t] == ino)
            v.push_back({"no host namespace", t + " namespace is the host's (" + ino + ")"});
    }
    if (ns["mnt"] == ns_inode("/proc/" + std::to_string(w.mntns_holder) + "/ns/mnt"))
        v.push_back({"no existing mount namespace joined", "mnt namespace is an existing one"});
    char hostdev[32];
    std::snprintf(hostdev, sizeof hostdev, "%u:%u", major(w.marker_dev), minor(w.marker_dev));
    static const std::set<std::string> forbidden{"overlay",  "binfmt_misc", "debugfs", "tracefs", "securityfs",
                                                 "configfs", "bpf",         "fuse",    "fusectl", "pstore"};
    for (const auto& m : mounts) {
        auto ro = [](const std::string& o) { return o == "ro" || o.rfind("ro,", 0) == 0; };
        if ((m.fstype == "sysfs" || m.fstype == "cgroup" || m.fstype == "cgroup2") && !ro(m.opts) && !ro(m.super))
            v.push_back({"sysfs and cgroup mounts read-only", m.mp + " (" + m.fstype + ") is " + m.opts});
        if (forbidden.count(m.fstype) && m.mp != "/")
            v.push_back({"only allowlisted mount types", m.fstype + " mounted at " + m.mp});
        if (m.fstype == "proc" && m.mp != "/proc" && m.root == "/")
            v.push_back({"proc only at /proc", "proc mounted at " + m.mp});
        if (m.fstype == "sysfs" && m.mp != "/sys" && m.root == "/")
            v.push_back({"sysfs only at /sys", "sysfs mounted at " + m.mp});
        // mounts.options adds nosuid,nodev to every bind (nodev kept only for an allowed device node): a
        // host directory's bind (the host disk's device, anything but the rootfs) never carries suid or dev.
        auto has = [&](const std::string& o) { return ("," + m.opts + ",").find("," + o + ",") != std::string::npos; };
        if (m.dev == hostdev && m.mp != "/" && (!has("nosuid") || !has("nodev")))
            v.push_back({"host binds nosuid,nodev", m.mp + " (" + m.root + ") is " + m.opts});
        if (m.dev == hostdev && m.root == "/")
            v.push_back({"host / never mounted", "the host's root filesystem at " + m.mp + " (" + m.opts + ")"});
    }
}

std::string hooks_ran(const World& w) {
    std::string out;
    for (const auto& n : list_dir(w.marker_dir))
        if (n.rfind("hook-", 0) == 0) out += n.substr(5) + ": " + trim(read(w.marker_dir + "/" + n)) + "; ";
    return out;
}

}  // namespace

TEST_CASE("adversarial: the baseline holds against hostile config.json deltas", "[.][adversarial]") {
    require_root();
    if (!exists(FIXTURES_DIR)) {
        std::cout << "SKIP: the Docker fixtures are not at " FIXTURES_DIR "\n";
        std::exit(77);
    }
    if (!exists("/sys/fs/cgroup/pids/cgroup.procs") || access("/usr/bin/unshare", X_OK) != 0) {
        std::cout << "SKIP: needs a cgroup v1 pids hierarchy and unshare(1)\n";
        std::exit(77);
    }
    uint64_t seed = std::strtoull(
        env_or("DOCKLOCK_ADV_SEED", std::to_string(std::chrono::system_clock::now().time_since_epoch().count())).c_str(), nullptr,
        0);
    int count = std::atoi(env_or("DOCKLOCK_ADV_COUNT", "500").c_str());
    int only = std::atoi(env_or("DOCKLOCK_ADV_ONLY", "-1").c_str());
    // The checks' own test: DOCKLOCK_ADV_POLICY=off runs the same configs with no baseline, where the
    // invariants must break (a run that finds nothing there would be a checker that sees nothing).
    std::string policy = env_or("DOCKLOCK_ADV_POLICY", "builtin");
    std::cout << "adversarial: DOCKLOCK_ADV_SEED=" << seed << " DOCKLOCK_ADV_COUNT=" << count << std::endl;

    World w;
    w.setup(seed);
    auto bundle = std::make_unique<Bundle>();  // released before the end: nothing of it is left
    Bundle& b = *bundle;
    std::map<std::string, int> counts;
    std::map<std::string, std::string> examples;
    std::vector<std::string> report;
    int refused = 0, ran = 0;
    auto t0 = std::chrono::steady_clock::now();

    for (int i = 0; i < count; ++i) {
        if (only >= 0 && i != only) continue;
        std::string id = "adv" + std::to_string(getpid()) + "-" + std::to_string(i);
        Gen g(w, b, seed + static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ull);
        Case c = g.make(id);
        if (!c.config["linux"].contains("cgroupsPath") || c.deltas.dump().find("cgroupsPath") == std::string::npos)
            c.config["linux"]["cgroupsPath"] = "/adv/" + id;
        c.config["mounts"].push_back(
            {{"destination", "/.probe"}, {"type", "bind"}, {"source", CENSUS_BIN}, {"options", {"rbind", "ro"}}});
        c.config["mounts"].push_back(
            {{"destination", "/.w"}, {"type", "bind"}, {"source", w.scratch}, {"options", {"rbind", "rw"}}});
        json args = {"/.probe", "--marker-host",
                     std::string() + std::to_string(major(w.marker_dev)) + ":" + std::to_string(minor(w.marker_dev)) + ":" +
                         w.marker_file};
        for (const auto& m : c.markers) args.push_back("--marker"), args.push_back(m);
        args.push_back("--marker"), args.push_back("/proc/1/root" + w.marker_file);
        for (const auto& s : c.scans) args.push_back("--scan"), args.push_back(s);
        c.config["process"]["args"] = args;
        c.config["process"]["terminal"] = false;
        c.config["process"]["cwd"] = "/";
        b.config = c.config;
        b.write();

        std::string errf = w.dir + "/stderr";
        write_file(errf, "");
        Result r = run({"/bin/sh", w.dir + "/outer.sh", b.dir, id, DOCKLOCK_BIN, w.state, errf, policy}, "", 30);
        // docklock's stderr without its info/warning lines (findings of the baseline's changes)
        std::string err;
        for (const auto& l : lines_of(read(errf)))
            if (l.find(": info: ") == std::string::npos && l.find(": warning: ") == std::string::npos) err += l + "\n";
        err = trim(err);
        std::vector<Violation> v;
        int code = -1;
        size_t at = r.out.find("@@run=");
        if (at != std::string::npos) code = std::atoi(r.out.c_str() + at + 6);
        std::string report_text = r.out.substr(0, at == std::string::npos ? r.out.size() : at);
        bool has_report = report_text.find("status CapEff") != std::string::npos;
        if (r.code != 0 || at == std::string::npos)
            v.push_back({"wrapper ran", "wrapper exit " + std::to_string(r.code) + ": " + r.err.substr(0, 200)});
        if (code == 0 || has_report) {
            ++ran;
            check_report(w, c, report_text, v);
        } else {
            ++refused;
            if (err.empty() || err.find('\n') != std::string::npos)
                v.push_back({"refusal is one line naming a field", "stderr: " + err.substr(0, 300)});
        }
        if (r.out.find(w.token) != std::string::npos || err.find(w.token) != std::string::npos)
            v.push_back({"host marker never read", "the token is in the container's output"});

        // From the host.
        std::string ho = hooks_ran(w);
        if (!ho.empty()) v.push_back({"no hook runs outside the container's confinement", "host-side hook ran: " + ho});
        for (const auto& n : list_dir(w.scratch)) {
            if (n.rfind("hook-", 0) != 0) continue;
            auto f = words(read(w.scratch + "/" + n));
            std::map<std::string, std::string> st;
            for (size_t k = 0; k + 1 < f.size(); k += 2) st[f[k]] = f[k + 1];
            uint64_t eff = std::strtoull(st["CapEff:"].c_str(), nullptr, 16);
            if ((eff & ~w.allow_caps) || st["Seccomp:"] != "2" || st["NoNewPrivs:"] != "1")
                v.push_back({"container hooks run confined", n.substr(5) + " ran with " + read(w.scratch + "/" + n)});
            fs::remove(w.scratch + "/" + n);
        }
        std::set<std::string> names = list_dir(w.marker_dir);
        if (!(stamp(w.marker_file) == w.marker_stamp) || names != std::set<std::string>{"token"}) {
            std::string extra;
            for (const auto& n : names) extra += n + " ";
            v.push_back({"host marker untouched",
                         "marker dir now holds: " + extra +
                             (stamp(w.marker_file).content != w.marker_stamp.content             ? "(token content changed)"
                              : stamp(w.marker_file).atime.tv_sec != w.marker_stamp.atime.tv_sec ? "(token read: atime changed)"
                                                                                                 : "")});
        }
        bool sentinel_ok = alive(w.sentinel);
        std::string smax = trim(read(w.root("pids") + "/sentinel/pids.max"));
        std::string sprocs = read(w.root("pids") + "/sentinel/cgroup.procs");
        if (!sentinel_ok || smax != w.sentinel_pids_max || words(sprocs) != std::vector<std::string>{std::to_string(w.sentinel)})
            v.push_back({"no foreign cgroup touched",
                         "sentinel: alive=" + std::to_string(sentinel_ok) + " pids.max=" + smax + " procs=" + trim(sprocs)});
        // Nothing left: state, cgroups named for the id, mounts, processes.
        if (exists(w.state + "/" + id)) v.push_back({"nothing left after delete", "state dir " + id});
        // Any cgroup dir in the sandbox but the test's own (sentinel, wrapper) was made for this case: the
        // container's, or a parent level docklock made for it (issue 14 item 6: removed when empty).
        for (const auto& h : w.hierarchies) {
            std::string left_dir;
            for (const auto& d : w.case_cgroups(h)) left_dir += " " + d.substr(w.root(h).size());
            if (!left_dir.empty()) v.push_back({"nothing left after delete", h + " cgroup(s)" + left_dir});
        }
        std::string mi = read("/proc/self/mountinfo");
        if (mi.find(b.dir) != std::string::npos || mi.find(w.dir) != std::string::npos)
            v.push_back({"nothing left after delete", "a host mount references the bundle"});
        size_t mat = r.out.find("@@mounts=");
        if (mat != std::string::npos && std::atoi(r.out.c_str() + mat + 9) != 0)
            v.push_back({"nothing left after delete", "a mount in the runtime's namespace references the bundle"});
        std::set<int> keep{w.sentinel};
        std::vector<int> left;
        for (const auto& h : w.hierarchies) {
            auto l = w.kill_leftovers(h, w.root(h), keep);
            left.insert(left.end(), l.begin(), l.end());
        }
        if (!left.empty()) v.push_back({"nothing left after delete", std::to_string(left.size()) + " process(es) left"});

        // Restore the world for the next case (and record what had to be restored).
        run({DOCKLOCK_BIN, "--root", w.state, "delete", "--force", id});
        run({"rm", "-rf", w.state + "/" + id});
        for (const auto& h : w.hierarchies)
            for (const auto& d : w.case_cgroups(h)) World::remove_cgroups(d);
        // docklock enables the v2 controllers of the parents it uses (cgroup.subtree_control): undone, or
        // the wrapper could not join the sandbox root next time (no internal processes).
        for (const auto& h : w.hierarchies)
            for (const auto& ctl : words(read(w.root(h) + "/cgroup.subtree_control")))
                std::ofstream(w.root(h) + "/cgroup.subtree_control") << "-" << ctl << "\n";
        if (!alive(w.sentinel) || smax != w.sentinel_pids_max) {
            if (alive(w.sentinel)) kill(w.sentinel, SIGKILL);
            waitpid(w.sentinel, nullptr, 0);
            w.start_sentinel();
        }
        w.reset_marker();
        for (const auto& l : c.links) {
            std::error_code ec;
            fs::remove(l, ec);
        }
        for (const auto& n : list_dir(w.scratch)) fs::remove_all(w.scratch + "/" + n);

        if (!env_or("DOCKLOCK_ADV_VERBOSE", "").empty())
            std::cout << "case " << i << " exit=" << code << " " << c.deltas.dump() << "\n  " << err.substr(0, 300) << "\n";
        std::set<std::string> seen;
        for (const auto& x : v) {
            if (!seen.insert(x.invariant).second) continue;  // count each invariant once per case
            ++counts[x.invariant];
            if (!examples.count(x.invariant))
                examples[x.invariant] = "iteration " + std::to_string(i) + ": " + x.detail + "\n      deltas: " + c.deltas.dump();
        }
        if (!v.empty()) {
            std::ostringstream s;
            s << "VIOLATION seed=" << seed << " iteration=" << i << " exit=" << code << "\n  deltas: " << c.deltas.dump() << "\n";
            for (const auto& x : v) s << "  broken: " << x.invariant << ": " << x.detail << "\n";
            if (!err.empty()) s << "  stderr: " << err.substr(0, 300) << "\n";
            std::cout << s.str() << std::flush;
            report.push_back(s.str());
        }
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    bundle.reset();
    rmdir(state_root().c_str());  // the harness's root, made by ~Bundle's delete: empty here
    if (env_or("DOCKLOCK_ADV_KEEP", "").empty()) {
        w.teardown();
        // The test itself leaves nothing: its temp dir, sandbox cgroups, sentinel and namespace holder.
        std::vector<std::string> left;
        if (exists(w.dir)) left.push_back(w.dir);
        if (exists(state_root())) left.push_back(state_root());
        for (const auto& h : w.hierarchies)
            if (exists(w.root(h))) left.push_back(w.root(h));
        if (!w.v2_root.empty() && exists(w.v2_root)) left.push_back(w.v2_root);
        for (int pid : {w.sentinel, w.mntns_holder})
            if (pid > 0 && alive(pid)) left.push_back("pid " + std::to_string(pid));
        for (const auto& l : left) std::cout << "left behind: " << l << "\n";
        CHECK(left.empty());
    } else
        std::cout << "kept: " << w.dir << " and the sandbox cgroups " << w.sandbox << " (sentinel pid " << w.sentinel << ")\n";

    std::cout << "\nadversarial: " << (only >= 0 ? 1 : count) << " configs in " << secs << " s: " << ran << " ran, " << refused
              << " refused; " << report.size() << " with violations (seed " << seed << ")\n";
    for (const auto& [inv, n] : counts) std::cout << "  " << n << "  " << inv << "\n      e.g. " << examples[inv] << "\n";
    std::cout << "replay: DOCKLOCK_ADV_SEED=" << seed << " DOCKLOCK_ADV_COUNT=" << count
              << " [DOCKLOCK_ADV_ONLY=<iteration>] build/test/integration_tests '[adversarial]'" << std::endl;
    CHECK(report.empty());
}
