// mounts.sockets from a real kernel: unix sockets listened on by real processes (root, uid 65534,
// in the runtime's network namespace or one of their own), bound into real containers under random
// names in temp dirs. The policy must find the listener from the socket file's inode, not its name.
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>
#include <random>

#include "harness.hpp"

using namespace harness;

namespace {

std::string random_name() {
    std::random_device rd;
    return "s" + std::to_string(rd() % 1000000) + ".sock";
}

// A temp dir any uid can create sockets in, removed with what is in it.
struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/docklock-sockets-XXXXXX";
        path = mkdtemp(tmpl);
        chmod(path.c_str(), 01777);
    }
    ~TempDir() { run({"rm", "-rf", path}); }
};

// A process that binds and listens on `path` as `uid`, in a network namespace of its own if asked,
// until killed.
struct ListeningProcess {
    pid_t pid = -1;
    ListeningProcess(const std::string& path, uid_t uid, bool own_netns) {
        int p[2];
        REQUIRE(pipe(p) == 0);
        pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            close(p[0]);
            char ok = '0';
            if (own_netns && unshare(CLONE_NEWNET) != 0) _exit(write(p[1], &ok, 1) == 1 ? 1 : 2);
            if (uid != 0 && (setgroups(0, nullptr) != 0 || setresgid(uid, uid, uid) != 0 || setresuid(uid, uid, uid) != 0))
                _exit(write(p[1], &ok, 1) == 1 ? 1 : 2);
            int fd = socket(AF_UNIX, SOCK_STREAM, 0);
            sockaddr_un a{};
            a.sun_family = AF_UNIX;
            std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
            if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && listen(fd, 4) == 0) ok = '1';
            if (write(p[1], &ok, 1) != 1) _exit(2);
            close(p[1]);
            for (;;) pause();
        }
        close(p[1]);
        char ok = 0;
        REQUIRE(read(p[0], &ok, 1) == 1);
        close(p[0]);
        REQUIRE(ok == '1');
    }
    ~ListeningProcess() {
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
    }
};

void bind_socket(Bundle& b, const std::string& source) {
    b.config["mounts"].push_back(
        {{"destination", "/run/engine.sock"}, {"type", "bind"}, {"source", source}, {"options", {"rbind", "rprivate"}}});
    b.sh("test -S /run/engine.sock && echo socket-bound");
}

void check_refused(Bundle& b, const std::string& what) {
    Result r = b.run();
    INFO(r.out << r.err);
    CHECK(r.code != 0);
    CHECK_THAT(r.err, Catch::Contains("refused by control \"mounts.sockets\""));
    CHECK_THAT(r.err, Catch::Contains(what));
    CHECK_THAT(r.err, Catch::Contains("mounts.sockets.allow"));
    CHECK(r.out.find("socket-bound") == std::string::npos);
    CHECK_FALSE(exists(state_root() + "/" + b.id));  // nothing half-made
}

void check_bound(Bundle& b) {
    Result r = b.run();
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("socket-bound"));
    CHECK(r.err.find("mounts.sockets") == std::string::npos);
}

}  // namespace

TEST_CASE("sockets: a socket a host root process listens on is refused under a random name and any other name", "[sockets]") {
    UsePolicy policy("builtin");
    TempDir d;
    std::string sock = d.path + "/" + random_name();
    ListeningProcess root(sock, 0, false);
    {
        Bundle b;
        bind_socket(b, sock);
        check_refused(b, "runs as the host's root");
        CHECK_THAT(b.run().err, Catch::Contains("(pid " + std::to_string(root.pid) + ")"));
    }
    // The same socket under another name in another directory (a hard link: another path, the same
    // inode the daemon bound, as docker.sock would be under a name no path list knows).
    TempDir other;
    std::string alias = other.path + "/" + random_name();
    REQUIRE(link(sock.c_str(), alias.c_str()) == 0);
    Bundle b;
    bind_socket(b, alias);
    check_refused(b, "runs as the host's root");
}

TEST_CASE("sockets: a root listener in a network namespace of its own is still found and refused", "[sockets]") {
    UsePolicy policy("builtin");
    TempDir d;
    std::string sock = d.path + "/" + random_name();
    ListeningProcess root(sock, 0, true);
    Bundle b;
    bind_socket(b, sock);
    check_refused(b, "runs as the host's root");
}

TEST_CASE("sockets: an allowed socket path is bound though root listens", "[sockets]") {
    TempDir d;
    std::string sock = d.path + "/" + random_name();
    ListeningProcess root(sock, 0, false);
    std::string policy_file = d.path + "/policy.yaml";
    std::ofstream(policy_file) << "controls:\n  mounts.sockets:\n    mode: reject\n    allow: [\"" << sock << "\"]\n";
    UsePolicy policy(policy_file);
    Bundle b;
    bind_socket(b, sock);
    check_bound(b);
}

TEST_CASE("sockets: a socket whose listener runs as uid 65534 of the host is bound", "[sockets]") {
    UsePolicy policy("builtin");
    TempDir d;
    SECTION("in the runtime's network namespace") {
        std::string sock = d.path + "/" + random_name();
        ListeningProcess nobody(sock, 65534, false);
        Bundle b;
        bind_socket(b, sock);
        check_bound(b);
    }
    SECTION("in a network namespace of its own (as a remapped container's)") {
        std::string sock = d.path + "/" + random_name();
        ListeningProcess nobody(sock, 65534, true);
        Bundle b;
        bind_socket(b, sock);
        check_bound(b);
    }
}

TEST_CASE("sockets: a stale socket file (no listener) is refused: its listener cannot be determined", "[sockets]") {
    UsePolicy policy("builtin");
    TempDir d;
    std::string sock = d.path + "/" + random_name();
    { ListeningProcess gone(sock, 0, false); }  // killed: the file stays, nothing is bound to it
    struct stat st;
    REQUIRE(stat(sock.c_str(), &st) == 0);
    REQUIRE(S_ISSOCK(st.st_mode));
    Bundle b;
    bind_socket(b, sock);
    check_refused(b, "listener cannot be determined");
}
