#include "cgroups.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "../util/error.hpp"
#include "../util/fs.hpp"
#include "../util/log.hpp"
#include "../util/mountinfo.hpp"
#include "../util/text.hpp"
#include "resources.hpp"
#include "systemd.hpp"

namespace docklock::cgroups {

std::vector<Hierarchy> discover() {
    std::vector<Hierarchy> out;
    std::string info = fs::read_file("/proc/self/mountinfo");
    for (const mountinfo::Entry& e : mountinfo::parse(info)) {
        if (e.fstype != "cgroup" && e.fstype != "cgroup2") continue;
        if (e.root != "/") continue;  // a bind of a sub-cgroup, not a hierarchy root
        std::string mnt(e.mount_point);
        Hierarchy h;
        h.mountpoint = mnt;
        h.v2 = e.fstype == "cgroup2";
        if (h.v2) {
            std::string ctl;
            if (fs::read_file_if_exists(mnt + "/cgroup.controllers", ctl)) {
                for (std::string_view c : text::fields(ctl)) h.controllers.emplace_back(c);
            }
        } else {
            for (std::string_view o : text::split(e.super_options, ',')) {
                if (o == "rw" || o == "ro" || o == "relatime" || o == "noexec" || o == "nosuid" || o == "nodev" ||
                    o.rfind("release_agent", 0) == 0 || o == "clone_children" || o == "xattr" || o == "noprefix")
                    continue;
                if (!h.options.empty()) h.options += ",";
                h.options += o;
                h.controllers.emplace_back(o);
            }
        }
        size_t slash = mnt.rfind('/');
        h.name = mnt.substr(slash + 1);
        // skip duplicate mounts of the same hierarchy
        bool dup = false;
        for (const auto& seen : out)
            if (seen.options == h.options && seen.v2 == h.v2) dup = true;
        if (!dup) out.push_back(h);
    }
    if (out.size() == 1 && out[0].v2) out[0].name.clear();
    return out;
}

Layout layout(const std::vector<Hierarchy>& hs) {
    bool v1 = false, v2 = false;
    for (const auto& h : hs) (h.v2 ? v2 : v1) = true;
    if (v2 && !v1) return Layout::Unified;
    return v2 ? Layout::Hybrid : Layout::V1;
}

// The runtime's own cgroup in a hierarchy, from /proc/self/cgroup's `content`.
static std::string own_cgroup(const Hierarchy& h, const std::string& content) {
    for (std::string_view line : text::lines(content)) {
        size_t a = line.find(':'), b = line.find(':', a + 1);
        if (a == std::string_view::npos || b == std::string_view::npos) continue;
        std::string_view ctl = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
        if (h.v2 ? (ctl.empty() && line.substr(0, 2) == "0:") : ctl == h.options) return std::string(path);
    }
    return "/";
}

// How errors name a systemd-driven cgroup: the spec's path and the unit it became.
static std::string systemd_what(const Manager::Systemd& s) {
    return "linux.cgroupsPath \"" + s.cgroups_path + "\" (systemd unit " + s.unit + " in " + s.slice + ")";
}

static bool all_v2(const std::vector<Manager::Dir>& dirs) {
    for (const auto& d : dirs)
        if (!d.h.v2) return false;
    return !dirs.empty();
}

// A cgroup path inside a hierarchy as "/a/b": empty and "." components dropped; ".." refused (it
// could climb out of the runtime's cgroup or into a sibling's); the hierarchy's root refused.
static std::string normalize(const std::string& rel, const std::string& spec_path) {
    std::string out;
    for (std::string_view c : text::split(rel, '/')) {
        if (c.empty() || c == ".") continue;
        if (c == "..") throw Error("linux.cgroupsPath \"" + spec_path + "\": must not contain \"..\"");
        (out += '/') += c;
    }
    if (out.empty())
        throw Error("linux.cgroupsPath \"" + spec_path +
                    "\": names the root of a cgroup hierarchy (it holds the host's processes)");
    return out;
}

Manager Manager::plan(const std::string& cgroups_path, const std::string& id, bool systemd) {
    if (systemd) {
        if (cgroups_path.find("..") != std::string::npos) throw Error("linux.cgroupsPath: must not contain \"..\"");
        systemd::UnitPath u = systemd::parse_path(cgroups_path, id);
        Manager m;
        m.systemd_ = Systemd{cgroups_path, u.unit, u.slice};
        m.what_ = systemd_what(*m.systemd_);
        m.unit_pending_ = true;
        systemd::Bus::connect(m.what_);  // no systemd: fail now, before anything exists
        // Where systemd puts the unit in every hierarchy; those it does not manage are made to match.
        std::string rel = normalize(u.cgroup(), cgroups_path);
        for (const auto& h : discover()) m.dirs_.push_back({h, fs::join(h.mountpoint, rel), false, {}});
        return m;
    }
    if (!cgroups_path.empty() && cgroups_path[0] != '/' && cgroups_path.find(':') != std::string::npos)
        throw Error("linux.cgroupsPath: \"" + cgroups_path + "\" is a systemd slice:prefix:name path; use --systemd-cgroup");
    Manager m;
    m.what_ = "linux.cgroupsPath \"" + cgroups_path + "\"";
    const std::string self = fs::read_file("/proc/self/cgroup");
    for (const auto& h : discover()) {
        std::string rel;
        if (cgroups_path.empty())
            rel = fs::join(own_cgroup(h, self), "docklock-" + id);
        else if (cgroups_path[0] == '/')
            rel = cgroups_path;
        else
            rel = fs::join(own_cgroup(h, self), cgroups_path);
        m.dirs_.push_back({h, fs::join(h.mountpoint, normalize(rel, cgroups_path)), false, {}});
    }
    return m;
}

// An existing cgroup is reused only when nothing lives in it: no process, no child cgroup.
static void refuse_if_busy(const std::string& what, const std::string& dir) {
    std::string procs;
    if (!fs::read_file_if_exists(fs::join(dir, "cgroup.procs"), procs))
        throw Error(what + ": " + dir + " exists and is not a cgroup");
    if (procs.find_first_not_of(" \n") != std::string::npos)
        throw Error(
            what + ": cgroup " + dir +
            " already exists and holds processes (docklock runs a container only in a cgroup it creates or an empty one)");
    DIR* d = ::opendir(dir.c_str());
    if (!d) sys_fail(what + ": " + dir);
    bool child = false;
    while (dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n == "." || n == "..") continue;
        struct stat st;
        if (e->d_type == DT_DIR ||
            (e->d_type == DT_UNKNOWN && ::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)))
            child = true;
    }
    ::closedir(d);
    if (child)
        throw Error(
            what + ": cgroup " + dir +
            " already exists and has child cgroups (docklock runs a container only in a cgroup it creates or an empty one)");
}

// Hierarchies where the systemd driver's unit lives: its own named one and the unified one.
static bool systemd_tracks(const Hierarchy& h) {
    return h.v2 || h.options.find("name=systemd") != std::string::npos;
}

void Manager::check_target() {
    try {
        check_dirs();
    } catch (...) {
        for (auto& d : dirs_) d.owned = false, d.made.clear();  // refused: nothing of it is docklock's
        unit_owned_ = false;
        throw;
    }
}

void Manager::check_dirs() {
    bool tracked = false;
    unit_owned_ = true;
    for (auto& d : dirs_) {
        d.made.clear();
        struct stat st;
        if (::stat(d.path.c_str(), &st) == 0) {
            refuse_if_busy(what_, d.path);
            d.owned = false;
        } else if (errno == ENOENT) {
            d.owned = true;
            // The systemd driver does not claim parents: systemd makes and removes its slices.
            for (size_t i = d.h.mountpoint.size() + 1; !systemd_ && (i = d.path.find('/', i)) != std::string::npos; ++i) {
                std::string level = d.path.substr(0, i);
                if (!fs::exists(level)) d.made.push_back(level);
            }
        } else {
            sys_fail(what_ + ": " + d.path);
        }
        if (systemd_ && systemd_tracks(d.h)) {
            tracked = true;
            if (!d.owned) unit_owned_ = false;
        }
    }
    if (systemd_ && !tracked)
        for (const auto& d : dirs_)
            if (!d.owned) unit_owned_ = false;
}

nlohmann::json Manager::to_json() const {
    nlohmann::json a = nlohmann::json::array();
    auto done = [&] {
        if (!systemd_) return a;  // the cgroupfs driver keeps the original form: the array of dirs
        return nlohmann::json{{"driver", "systemd"},       {"cgroupsPath", systemd_->cgroups_path},
                              {"unit", systemd_->unit},    {"slice", systemd_->slice},
                              {"unit_owned", unit_owned_}, {"dirs", a}};
    };
    for (const auto& d : dirs_)
        a.push_back({{"mountpoint", d.h.mountpoint},
                     {"name", d.h.name},
                     {"options", d.h.options},
                     {"controllers", d.h.controllers},
                     {"v2", d.h.v2},
                     {"path", d.path},
                     {"owned", d.owned},
                     {"made", d.made}});
    return done();
}

Manager Manager::from_json(const nlohmann::json& in) {
    Manager m;
    static const nlohmann::json none = nlohmann::json::array();
    const nlohmann::json& j = in.is_object() ? (in.contains("dirs") ? in.at("dirs") : none) : in;
    if (in.is_object() && in.value("driver", "") == "systemd") {
        m.systemd_ = Systemd{in.value("cgroupsPath", ""), in.at("unit"), in.value("slice", "")};
        m.what_ = systemd_what(*m.systemd_);
        m.unit_owned_ = in.value("unit_owned", true);  // state from before ownership was recorded: as then
    }
    for (const auto& e : j) {
        Dir d;
        d.h.mountpoint = e.at("mountpoint");
        d.h.name = e.at("name");
        d.h.options = e.at("options");
        d.h.controllers = e.at("controllers").get<std::vector<std::string>>();
        d.h.v2 = e.at("v2");
        d.path = e.at("path");
        d.owned = e.value("owned", true);  // older state: the leaf was always removed, as then
        if (e.contains("made")) d.made = e.at("made").get<std::vector<std::string>>();
        m.dirs_.push_back(d);
    }
    return m;
}

static void inherit_cpuset(const std::string& mountpoint, const std::string& dir) {
    // A new v1 cpuset cgroup starts empty and refuses tasks: copy cpus and mems down from the nearest parent.
    for (const char* f : {"cpuset.cpus", "cpuset.mems"}) {
        std::string cur;
        if (!fs::read_file_if_exists(fs::join(dir, f), cur)) continue;
        if (cur.find_first_not_of(" \n") != std::string::npos) continue;
        std::string parent = dir.substr(0, dir.rfind('/'));
        if (parent.size() < mountpoint.size()) continue;
        inherit_cpuset(mountpoint, parent);
        fs::write_file(fs::join(dir, f), fs::read_file(fs::join(parent, f)));
    }
}

// v2: a controller shows up in a child only when every ancestor lists it in cgroup.subtree_control.
static void enable_controllers(const std::string& mountpoint, const std::string& leaf) {
    std::string cur = mountpoint;
    std::string rel = leaf.substr(mountpoint.size());
    size_t i = 0;
    while (i < rel.size()) {
        std::string ctl;
        if (fs::read_file_if_exists(fs::join(cur, "cgroup.controllers"), ctl)) {
            std::string want;
            for (std::string_view c : text::fields(ctl)) (want += want.empty() ? "+" : " +") += c;
            if (!want.empty()) {
                try {
                    fs::write_file(fs::join(cur, "cgroup.subtree_control"), want);
                } catch (const Error& e) {
                    throw Error("enable controllers (" + want + ") in " + cur + "/cgroup.subtree_control: " + e.what());
                }
            }
        }
        size_t j = rel.find('/', i + 1);
        if (j == std::string::npos) break;  // the leaf's own subtree_control stays empty
        cur += rel.substr(i, j - i);
        i = j;
    }
}

void Manager::create() {
    if (!unit_pending_) make_dirs();
}

void Manager::make_dirs() {
    for (auto& d : dirs_) {
        for (int attempt = 0; !make_levels(d); ++attempt)
            if (attempt == 20) throw Error("create cgroup " + d.path + ": a parent level keeps being removed");
        std::sort(d.made.begin(), d.made.end(), [](const std::string& a, const std::string& b) { return a.size() < b.size(); });
        if (d.h.options.find("cpuset") != std::string::npos) inherit_cpuset(d.h.mountpoint, d.path);
        if (d.h.v2 && !d.h.controllers.empty()) enable_controllers(d.h.mountpoint, d.path);
    }
}

bool Manager::make_levels(Dir& d) {
    std::string rel = d.path.substr(d.h.mountpoint.size()), cur = d.h.mountpoint;
    size_t i = 0;
    while (i < rel.size()) {
        size_t j = rel.find('/', i + 1);
        if (j == std::string::npos) j = rel.size();
        cur += rel.substr(i, j - i);
        i = j;
        bool leaf = cur == d.path;
        auto mine = std::find(d.made.begin(), d.made.end(), cur);
        if (::mkdir(cur.c_str(), 0755) == 0) {
            if (leaf)
                d.owned = true;
            else if (mine == d.made.end())
                d.made.push_back(cur);
            if (d.h.options.find("cpuset") != std::string::npos) inherit_cpuset(d.h.mountpoint, cur);
        } else if (errno == EEXIST) {
            // Someone else made it since check_target: theirs, not ours. (The systemd driver's unit
            // directories exist by now because systemd made them for the unit docklock started.)
            if (!leaf && mine != d.made.end()) d.made.erase(mine);
            if (leaf && d.owned && !systemd_) {
                d.owned = false;
                refuse_if_busy(what_, cur);
            }
        } else if (errno == ENOENT) {
            return false;  // a parent was removed (another container's delete): walk again
        } else {
            sys_fail("create cgroup " + cur);
        }
    }
    return true;
}

void Manager::apply(const spec::Resources& r) {
    if (unit_pending_) {
        pending_ = r;
        return;
    }
    if (systemd_) {
        // Tell systemd first: a daemon-reload re-applies what the unit holds, not what the files say.
        auto props = systemd::resource_properties(r, all_v2(dirs_));
        if (!props.empty()) systemd::Bus::connect(systemd_what(*systemd_)).set_properties(systemd_->unit, props);
    }
    apply_resources(*this, r);
}

void Manager::add(pid_t pid) {
    if (unit_pending_) {
        // The unit starts with the init as its process (it is blocked until released, so nothing of the
        // user runs yet); systemd moves it into the unit's cgroup in the hierarchies it manages.
        systemd::UnitPath u{systemd_->slice, systemd_->unit};
        systemd::Bus::connect(what_).start_unit(u.unit,
                                                systemd::unit_properties(u, pid, pending_ ? &*pending_ : nullptr, all_v2(dirs_)));
        unit_pending_ = false;
        make_dirs();
    }
    for (const auto& d : dirs_) {
        try {
            fs::write_file(fs::join(d.path, "cgroup.procs"), std::to_string(pid));
        } catch (const Error& e) {
            throw Error("join cgroup " + d.path + ": " + e.what());
        }
    }
    if (pending_) {
        apply_resources(*this, *pending_);
        pending_.reset();
    }
}

std::vector<pid_t> Manager::pids() const {
    std::vector<pid_t> out;
    for (const auto& d : dirs_) {
        std::string s;
        if (!fs::read_file_if_exists(fs::join(d.path, "cgroup.procs"), s)) continue;
        for (std::string_view p : text::fields(s)) out.push_back(static_cast<pid_t>(std::stol(std::string(p))));
        return out;  // every hierarchy holds the same processes
    }
    return out;
}

bool Manager::exists() const {
    for (const auto& d : dirs_)
        if (fs::exists(d.path)) return true;
    return false;
}

std::vector<pid_t> Manager::owned_pids() const {
    std::vector<pid_t> out;
    for (const auto& d : dirs_) {
        std::string s;
        if (!d.owned || !fs::read_file_if_exists(fs::join(d.path, "cgroup.procs"), s)) continue;
        for (std::string_view p : text::fields(s)) out.push_back(static_cast<pid_t>(std::stol(std::string(p))));
    }
    return out;
}

void Manager::destroy() const {
    if (systemd_ && unit_owned_) {
        for (pid_t p : owned_pids()) ::kill(p, SIGKILL);
        try {
            systemd::Bus::connect(what_).stop_unit(systemd_->unit);
        } catch (const Error& e) {
            log::warn(std::string("remove cgroup: ") + e.what());  // the directories still go below
        }
    }
    bool busy = true;
    for (int attempt = 0; busy && attempt < 100; ++attempt) {
        bool left = false;
        for (pid_t p : owned_pids()) {
            ::kill(p, SIGKILL);
            left = true;
        }
        busy = false;
        for (const auto& d : dirs_) {
            if (!d.owned) continue;
            if (::rmdir(d.path.c_str()) < 0 && errno != ENOENT) {
                if (errno != EBUSY) sys_fail("remove cgroup " + d.path);
                busy = true;
            }
        }
        if (busy && (left || attempt > 0)) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (busy) throw Error("remove cgroup: still busy after killing its processes");
    // The parent levels docklock made, innermost first, while they are empty: another container may
    // share them (rmdir refuses, and they stay). Never a kill outside the container's own directory.
    for (const auto& d : dirs_)
        for (auto it = d.made.rbegin(); it != d.made.rend(); ++it)
            if (::rmdir(it->c_str()) < 0 && errno != ENOENT) break;
    for (const auto& d : dirs_) {
        std::string procs;
        if (!d.owned && fs::read_file_if_exists(fs::join(d.path, "cgroup.procs"), procs) &&
            procs.find_first_not_of(" \n") != std::string::npos)
            log::warn("cgroup " + d.path + " was there before the container: left in place with its processes");
    }
}

std::string Manager::dir_of(const std::string& controller) const {
    for (const auto& d : dirs_)
        for (const auto& c : d.h.controllers)
            if (c == controller) return d.path;
    return "";
}

std::string Manager::unified_dir() const {
    for (const auto& d : dirs_)
        if (d.h.v2) return d.path;
    return "";
}

}  // namespace docklock::cgroups
