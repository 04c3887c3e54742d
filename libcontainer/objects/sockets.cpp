// Who listens on a unix socket file. A socket file's own inode is not the socket's: the kernel's
// socket table (sock_diag, UNIX_DIAG_VFS) says which sockets are bound to which file (device and
// inode, exact, whatever the path was called when bound and in whichever mount namespace), and the
// fd tables (/proc/<pid>/fd -> "socket:[N]") say which processes hold them. The table is per
// network namespace: the runtime's is read first, the others (a daemon in a namespace of its own, a
// container's) only when the socket is not found there, each through a netlink socket opened by a
// thread that entered it (the runtime's own thread never changes namespace).
#include "sockets.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "../util/fd.hpp"

namespace docklock::objects {
namespace {

bool numeric(const char* s) {
    if (!*s) return false;
    for (; *s; ++s)
        if (*s < '0' || *s > '9') return false;
    return true;
}

// The inodes of the sockets bound to `file`, from the socket table of the netlink socket's network
// namespace; false when the table could not be read.
bool bound_sockets(int nl, const Id& file, std::set<uint64_t>& out) {
    struct {
        nlmsghdr nlh;
        unix_diag_req r;
    } req{};
    req.nlh.nlmsg_len = sizeof req;
    req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.r.sdiag_family = AF_UNIX;
    req.r.udiag_states = ~0u;
    req.r.udiag_show = UDIAG_SHOW_VFS;
    if (::send(nl, &req, sizeof req, 0) != static_cast<ssize_t>(sizeof req)) return false;
    alignas(nlmsghdr) char buf[32768];
    for (;;) {
        ssize_t n = ::recv(nl, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        int len = static_cast<int>(n);
        for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
            if (h->nlmsg_type == NLMSG_DONE) return true;
            if (h->nlmsg_type == NLMSG_ERROR) return false;
            if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY) continue;
            auto* m = static_cast<unix_diag_msg*>(NLMSG_DATA(h));
            int alen = static_cast<int>(h->nlmsg_len - NLMSG_LENGTH(sizeof *m));
            for (auto* a = reinterpret_cast<rtattr*>(m + 1); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
                if (a->rta_type != UNIX_DIAG_VFS || static_cast<size_t>(RTA_PAYLOAD(a)) < sizeof(unix_diag_vfs)) continue;
                unix_diag_vfs v;
                std::memcpy(&v, RTA_DATA(a), sizeof v);
                // The kernel's dev_t (MAJOR << 20 | MINOR), not stat's encoding.
                uint64_t dev = makedev(v.udiag_vfs_dev >> 20, v.udiag_vfs_dev & 0xfffff);
                if (v.udiag_vfs_ino == file.ino && dev == file.dev) out.insert(m->udiag_ino);
            }
        }
    }
}

UniqueFd diag_socket() {
    return UniqueFd(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
}

// A netlink socket in the network namespace `nsfd` names, opened by a thread that enters it.
UniqueFd diag_socket_in(int nsfd) {
    int fd = -1;
    std::thread t([&] {
        if (::setns(nsfd, CLONE_NEWNET) == 0) fd = diag_socket().release();
    });
    t.join();
    return UniqueFd(fd);
}

struct Holder {
    int pid;
    std::string comm;
    uint32_t uid[4] = {0, 0, 0, 0};  // real, effective, saved, fs
    bool ok = false;
};

Holder holder(int pid) {
    Holder h{pid, {}};
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    bool uid = false;
    while (std::getline(in, line)) {
        if (line.rfind("Name:", 0) == 0) {
            h.comm = line.substr(5);
            h.comm.erase(0, h.comm.find_first_not_of(" \t"));
        } else if (line.rfind("Uid:", 0) == 0) {
            std::istringstream s(line.substr(4));
            uid = static_cast<bool>(s >> h.uid[0] >> h.uid[1] >> h.uid[2] >> h.uid[3]);
        }
    }
    h.ok = uid;
    return h;
}

}  // namespace

Listener listener_of(const Id& file) {
    Listener l;
    std::set<uint64_t> socks;
    {
        UniqueFd nl = diag_socket();
        if (!nl || !bound_sockets(nl.get(), file, socks)) {
            l.unknown = std::string("the socket table cannot be read: ") + std::strerror(errno ? errno : EIO);
            return l;
        }
    }
    if (socks.empty()) {
        // Not bound in the runtime's network namespace: look in the others processes are in.
        struct stat own;
        if (::stat("/proc/self/ns/net", &own) != 0) {
            l.unknown = "/proc/self/ns/net: " + std::string(std::strerror(errno));
            return l;
        }
        std::set<std::pair<uint64_t, uint64_t>> seen{{own.st_dev, own.st_ino}};
        std::unique_ptr<DIR, int (*)(DIR*)> proc(::opendir("/proc"), ::closedir);
        while (proc && socks.empty()) {
            dirent* e = ::readdir(proc.get());
            if (!e) break;
            if (!numeric(e->d_name)) continue;
            std::string ns = std::string("/proc/") + e->d_name + "/ns/net";
            struct stat st;
            if (::stat(ns.c_str(), &st) != 0 || !seen.insert({st.st_dev, st.st_ino}).second) continue;
            UniqueFd nsfd(::open(ns.c_str(), O_RDONLY | O_CLOEXEC));
            if (!nsfd) continue;
            UniqueFd nl = diag_socket_in(nsfd.get());
            if (nl) bound_sockets(nl.get(), file, socks);
        }
    }
    if (socks.empty()) {
        l.unknown = "no socket is bound to it in any network namespace: a stale socket file, or its listener is out of sight";
        return l;
    }
    // The processes holding those sockets.
    std::vector<Holder> holders;
    std::unique_ptr<DIR, int (*)(DIR*)> proc(::opendir("/proc"), ::closedir);
    while (proc) {
        dirent* e = ::readdir(proc.get());
        if (!e) break;
        if (!numeric(e->d_name)) continue;
        int pid = std::atoi(e->d_name);
        UniqueFd fdd(::open(("/proc/" + std::string(e->d_name) + "/fd").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!fdd) continue;
        std::unique_ptr<DIR, int (*)(DIR*)> fds(::fdopendir(fdd.get()), ::closedir);
        if (!fds) continue;
        fdd.release();
        int dfd = ::dirfd(fds.get());
        while (dirent* f = ::readdir(fds.get())) {
            if (!numeric(f->d_name)) continue;
            char buf[64];
            ssize_t n = ::readlinkat(dfd, f->d_name, buf, sizeof buf - 1);
            if (n <= 8 || std::memcmp(buf, "socket:[", 8) != 0) continue;
            buf[n] = 0;
            if (!socks.count(std::strtoull(buf + 8, nullptr, 10))) continue;
            holders.push_back(holder(pid));
            break;
        }
    }
    if (holders.empty()) {
        l.unknown = "no process holds the socket bound to it";
        return l;
    }
    l.found = true;
    const Holder* named = &holders.front();
    for (const auto& h : holders) {
        bool root = !h.ok || h.uid[0] == 0 || h.uid[1] == 0 || h.uid[2] == 0 || h.uid[3] == 0;
        if (root && !l.host_root) named = &h;
        l.host_root = l.host_root || root;
    }
    l.pid = named->pid;
    l.uid = named->ok ? named->uid[1] : 0;
    l.comm = named->ok ? named->comm : "(exited)";
    return l;
}

}  // namespace docklock::objects
