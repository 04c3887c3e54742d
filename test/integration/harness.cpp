#include "harness.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <utility>

namespace harness {

Result run(const std::vector<std::string>& argv, const std::string& input, int timeout_s) {
    int in[2], out[2], err[2];
    if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) abort();
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        std::vector<char*> a;
        for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
        a.push_back(nullptr);
        execvp(a[0], a.data());
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    close(err[1]);
    signal(SIGPIPE, SIG_IGN);
    if (!input.empty()) (void)!write(in[1], input.data(), input.size());
    close(in[1]);
    Result r;
    // Read until the command exits (a detached container may keep our pipes open), then drain.
    int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    pollfd fds[3] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}, {pidfd, POLLIN, 0}};
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    auto drain = [&](pollfd& f, bool once) {
        char buf[4096];
        for (;;) {
            ssize_t n = ::read(f.fd, buf, sizeof buf);
            if (n <= 0) {
                if (n == 0 || !once) {
                    close(f.fd);
                    f.fd = -1;
                }
                return;
            }
            (f.fd == out[0] ? r.out : r.err).append(buf, static_cast<size_t>(n));
            if (once) return;
        }
    };
    bool exited = false;
    while (!exited && (fds[0].fd >= 0 || fds[1].fd >= 0)) {
        int ms = static_cast<int>(
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
        if (ms <= 0) {
            kill(pid, SIGKILL);
            r.err += "\n[harness: timed out]";
            break;
        }
        if (poll(fds, 3, ms) <= 0) continue;
        if (fds[2].revents & POLLIN) exited = true;
        for (int i = 0; i < 2; ++i)
            if (fds[i].fd >= 0 && (fds[i].revents & (POLLIN | POLLHUP))) drain(fds[i], true);
    }
    for (int i = 0; i < 2; ++i)
        if (fds[i].fd >= 0) {
            fcntl(fds[i].fd, F_SETFL, O_NONBLOCK);
            drain(fds[i], false);
        }
    if (pidfd >= 0) close(pidfd);
    int status = 0;
    waitpid(pid, &status, 0);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

void require_root() {
    if (geteuid() != 0) {
        std::cout << "SKIP: integration tests start real containers and need root\n";
        std::exit(77);
    }
    if (access(ROOTFS_DIR "/bin/busybox", X_OK) != 0) {
        std::cout << "SKIP: no busybox rootfs at " ROOTFS_DIR " (hack/make-rootfs builds it)\n";
        std::exit(77);
    }
}

const std::string& state_root() {
    static std::string root = [] {
        char tmpl[] = "/tmp/docklock-test-root-XXXXXX";
        return std::string(mkdtemp(tmpl));
    }();
    return root;
}

static std::string g_policy = "off";

UsePolicy::UsePolicy(std::string policy) : previous_(std::exchange(g_policy, std::move(policy))) {}
UsePolicy::~UsePolicy() {
    g_policy = previous_;
}

Result docklock(const std::vector<std::string>& args, const std::string& input) {
    std::vector<std::string> a{DOCKLOCK_BIN, "--root", state_root()};
    if (!g_policy.empty()) a.insert(a.end(), {"--policy", g_policy});
    a.insert(a.end(), args.begin(), args.end());
    Result r = run(a, input);
    if (r.code != 0 && !r.err.empty())
        std::cerr << "[docklock " << (args.empty() ? "" : args[0]) << " exit " << r.code << "] " << r.err;
    return r;
}

static std::atomic<int> counter{0};

Bundle::Bundle() {
    require_root();
    char tmpl[] = "/tmp/docklock-bundle-XXXXXX";
    dir = mkdtemp(tmpl);
    chmod(dir.c_str(), 0755);  // a mapped container root must be able to reach its rootfs
    id = "t" + std::to_string(getpid()) + "-" + std::to_string(counter++);
    harness::run({"cp", "-a", ROOTFS_DIR, dir + "/rootfs"});
    Result r = harness::run({DOCKLOCK_BIN, "spec", "--bundle", dir});
    std::ifstream f(dir + "/config.json");
    config = nlohmann::json::parse(f);
    config["process"]["terminal"] = false;
    config["root"]["readonly"] = false;
    config["hostname"] = "docklock-test";
    config["linux"]["cgroupsPath"] = "/docklock-test/" + id;
}

Bundle::~Bundle() {
    docklock({"delete", "--force", id});
    harness::run({"rm", "-rf", dir});
}

void Bundle::write() const {
    std::ofstream f(dir + "/config.json");
    f << config.dump(2);
}

Result Bundle::run(const std::vector<std::string>& extra) {
    write();
    std::vector<std::string> a{"run", "--bundle", dir};
    a.insert(a.end(), extra.begin(), extra.end());
    a.push_back(id);
    return docklock(a);
}

Result Bundle::create(const std::vector<std::string>& extra) {
    write();
    std::vector<std::string> a{"create", "--bundle", dir};
    a.insert(a.end(), extra.begin(), extra.end());
    a.push_back(id);
    return docklock(a);
}

std::string trim(const std::string& s) {
    size_t b = s.find_first_not_of(" \n\t"), e = s.find_last_not_of(" \n\t");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

bool alive(int pid) {
    std::string s = read("/proc/" + std::to_string(pid) + "/stat");
    size_t rp = s.rfind(')');
    return rp != std::string::npos && rp + 2 < s.size() && s[rp + 2] != 'Z' && s[rp + 2] != 'X';
}

bool exists(const std::string& path) {
    struct stat st;
    return lstat(path.c_str(), &st) == 0;
}

std::string read(const std::string& path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

std::string cgroup_dir_of(int pid, const std::string& controller) {
    std::istringstream in(read("/proc/" + std::to_string(pid) + "/cgroup"));
    std::string line;
    while (std::getline(in, line)) {
        size_t a = line.find(':'), b = line.find(':', a + 1);
        std::string ctl = line.substr(a + 1, b - a - 1);
        std::istringstream cs(ctl);
        std::string c;
        while (std::getline(cs, c, ','))
            if (c == controller) return "/sys/fs/cgroup/" + controller + line.substr(b + 1);
    }
    return "";
}

void use_fixture(Bundle& b, const std::string& name, bool keep_hooks) {
    if (!exists(FIXTURES_DIR)) {
        std::cout << "SKIP: the Docker fixtures are not at " FIXTURES_DIR " (shared/ beside the checkout)\n";
        std::exit(77);
    }
    using nlohmann::json;
    json c = json::parse(read(std::string(FIXTURES_DIR) + "/" + name + ".json"));
    c["root"]["path"] = b.dir + "/rootfs";
    for (auto& m : c["mounts"]) {
        std::string src = m.value("source", "");
        if (src.rfind("/var/lib/docker/containers/", 0) == 0) {
            std::string f = b.dir + "/" + src.substr(src.rfind('/') + 1);
            std::ofstream(f) << (f.find("hostname") != std::string::npos ? "fixture-host\n" : "# from fixture\n");
            m["source"] = f;
        }
    }
    for (auto& n : c["linux"]["namespaces"])
        if (n["type"] == "network") n.erase("path");
    c["linux"]["cgroupsPath"] = "/docklock-test/" + b.id;
    if (!keep_hooks && c.contains("hooks")) c.erase("hooks");
    b.config = c;
}

void add_probe(Bundle& b) {
    b.config["mounts"].push_back({{"destination", "/probe"},
                                  {"type", "bind"},
                                  {"source", PROBE_BIN},
                                  {"options", nlohmann::json::array({"rbind", "ro"})}});
}

}  // namespace harness
