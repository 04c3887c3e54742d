#include "state.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

#include "../util/error.hpp"
#include "../util/fs.hpp"

namespace docklock::state {

std::string to_string(Status s) {
    switch (s) {
        case Status::Creating: return "creating";
        case Status::Created: return "created";
        case Status::Running: return "running";
        case Status::Paused: return "paused";
        case Status::Stopped: return "stopped";
    }
    return "unknown";
}

unsigned long long process_start_time(pid_t pid) {
    std::string s;
    try {
        if (!fs::read_file_if_exists("/proc/" + std::to_string(pid) + "/stat", s)) return 0;
    } catch (const Error&) {
        return 0;
    }
    size_t rp = s.rfind(')');
    if (rp == std::string::npos || rp + 2 >= s.size()) return 0;
    if (s[rp + 2] == 'Z' || s[rp + 2] == 'X') return 0;
    // fields after ")": state(3) ... starttime(22) -> the 20th token
    size_t pos = rp + 2;
    for (int field = 3; field < 22; ++field) {
        pos = s.find(' ', pos);
        if (pos == std::string::npos) return 0;
        ++pos;
    }
    return std::stoull(s.substr(pos, s.find(' ', pos) - pos));
}

void Container::lock() {
    if (::flock(dirfd_.get(), LOCK_EX) < 0) sys_fail("lock " + dir_);
    locked_ = true;
}

bool Container::locked_by_other() const {
    if (locked_) return false;  // we hold it
    if (::flock(dirfd_.get(), LOCK_SH | LOCK_NB) == 0) {
        ::flock(dirfd_.get(), LOCK_UN);
        return false;
    }
    return errno == EWOULDBLOCK;
}

void Container::load() {
    std::string text;
    if (!fs::read_file_if_exists(path("state.json"), text))
        throw Error("container \"" + id_ + "\" is still being created or is corrupt: no state.json");
    auto j = nlohmann::json::parse(text);
    st.id = j.value("id", id_);
    st.bundle = j.value("bundle", "");
    st.rootfs = j.value("rootfs", "");
    st.created = j.value("created", "");
    st.owner = j.value("owner", "");
    st.pid = j.value("pid", 0);
    st.pid_start = j.value("pid_start", 0ULL);
    st.annotations = j.value("annotations", std::map<std::string, std::string>{});
    st.cgroup = j.value("cgroup", nlohmann::json::array());
    st.creating = j.value("creating", false);
}

void Container::save() const {
    nlohmann::json j{{"id", st.id},        {"bundle", st.bundle}, {"rootfs", st.rootfs},       {"created", st.created},
                     {"owner", st.owner},  {"pid", st.pid},       {"pid_start", st.pid_start}, {"annotations", st.annotations},
                     {"cgroup", st.cgroup}};
    fs::replace_file(path("state.json"), j.dump(), 0600);
}

Status Container::status() const {
    if (st.creating) return locked_by_other() ? Status::Creating : Status::Stopped;
    if (st.pid <= 0) return Status::Stopped;
    unsigned long long start = process_start_time(st.pid);
    if (start == 0 || start != st.pid_start) return Status::Stopped;
    if (fs::exists(path("start.sock"))) return Status::Created;
    // paused: v1 freezer or v2 cgroup.freeze (the systemd driver's form holds the same array as "dirs")
    const nlohmann::json& dirs = st.cgroup.is_object() && st.cgroup.contains("dirs") ? st.cgroup.at("dirs") : st.cgroup;
    for (const auto& d : dirs) {
        std::string f;
        const std::string dir = d.value("path", "");
        if (d.value("v2", false)) {
            if (fs::read_file_if_exists(dir + "/cgroup.freeze", f) && f.rfind("1", 0) == 0) return Status::Paused;
        } else if (d.value("options", "").find("freezer") != std::string::npos) {
            if (fs::read_file_if_exists(dir + "/freezer.state", f) && f.rfind("FROZEN", 0) == 0) return Status::Paused;
        }
    }
    return Status::Running;
}

nlohmann::json Container::oci_state() const {
    Status s = status();
    nlohmann::json j{
        {"ociVersion", "1.2.0"}, {"id", id_},           {"status", to_string(s)}, {"pid", s == Status::Stopped ? 0 : st.pid},
        {"bundle", st.bundle},   {"rootfs", st.rootfs}, {"created", st.created},  {"owner", st.owner}};
    if (!st.annotations.empty()) j["annotations"] = st.annotations;
    return j;
}

Store::Store(std::string root) : root_(std::move(root)) {
    if (root_.empty()) throw Error("--root: must not be empty");
    struct stat s;
    if (::stat(root_.c_str(), &s) == 0) {
        if (!S_ISDIR(s.st_mode)) throw Error("--root " + root_ + ": not a directory");
    } else if (errno == ENOENT) {
        fs::mkdir_p(root_, 0700);
    } else {
        sys_fail("--root " + root_);
    }
    if (::access(root_.c_str(), W_OK | X_OK) < 0) sys_fail("--root " + root_);
}

void Store::validate_id(const std::string& id) {
    if (id.empty()) throw Error("container id: must not be empty");
    if (id.size() > 1024) throw Error("container id: longer than 1024 characters");
    if (id == "." || id == "..") throw Error("container id \"" + id + "\": invalid");
    for (char c : id)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '+'))
            throw Error("container id \"" + id + "\": only letters, digits and _ - . + are allowed");
}

Container Store::reserve(const std::string& id) {
    validate_id(id);
    std::string dir = root_ + "/" + id;
    if (::mkdir(dir.c_str(), 0711) < 0) {
        if (errno == EEXIST) throw Error("container \"" + id + "\" already exists");
        sys_fail("create state directory " + dir);
    }
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) sys_fail("open " + dir);
    Container c(id, dir, std::move(fd));
    c.lock();
    return c;
}

Container Store::open(const std::string& id) {
    validate_id(id);
    std::string dir = root_ + "/" + id;
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) {
        if (errno == ENOENT) throw Error("container \"" + id + "\" does not exist");
        sys_fail("open state of " + id);
    }
    return Container(id, dir, std::move(fd));
}

std::vector<std::string> Store::list() const {
    std::vector<std::string> out;
    DIR* d = ::opendir(root_.c_str());
    if (!d) return out;
    while (dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n == "." || n == ".." || n[0] == '.') continue;
        if (e->d_type == DT_DIR || e->d_type == DT_UNKNOWN) out.push_back(n);
    }
    ::closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace docklock::state
