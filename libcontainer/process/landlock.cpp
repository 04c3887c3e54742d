#include "landlock.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>

namespace docklock::process {
namespace {

// The ruleset attribute as of ABI 6 (older headers lack `scoped`); its size tells the kernel which
// fields we use.
struct RulesetAttr {
    uint64_t handled_access_fs = 0, handled_access_net = 0, scoped = 0;
};
constexpr uint64_t kScopeAbstractUnix = 1ULL << 0;  // LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
constexpr uint64_t kScopeSignal = 1ULL << 1;        // LANDLOCK_SCOPE_SIGNAL
constexpr uint64_t kExec = LANDLOCK_ACCESS_FS_EXECUTE;
constexpr uint64_t kWrite = LANDLOCK_ACCESS_FS_WRITE_FILE;

struct LinuxDirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

// `path` is `base` or lies beneath it.
bool under(const char* path, const std::string& base) {
    size_t n = base.size();
    if (n == 1) return true;  // "/"
    return std::strncmp(path, base.c_str(), n) == 0 && (path[n] == '\0' || path[n] == '/');
}

// `x` lies strictly beneath `path`.
bool strictly_below(const std::string& x, const char* path) {
    size_t n = std::strlen(path);
    if (n == 1) return x.size() > 1;
    return x.size() > n && std::strncmp(x.c_str(), path, n) == 0 && x[n] == '/';
}

struct Walk {
    const LandlockPlan& p;
    int ruleset;
    const char* what = nullptr;

    uint64_t rights(const char* path) const {
        uint64_t r = kExec | kWrite;
        for (const auto& d : p.no_exec)
            if (under(path, d)) r &= ~kExec;
        for (const auto& d : p.no_write)
            if (under(path, d)) r &= ~kWrite;
        return r;
    }

    // Some restricted path beneath `path` has other rights than `path` itself: split it.
    bool must_split(const char* path) const {
        uint64_t mine = rights(path);
        for (const auto* list : {&p.no_exec, &p.no_write})
            for (const auto& d : *list)
                if (strictly_below(d, path) && rights(d.c_str()) != mine) return true;
        return false;
    }

    int grant(const char* path, uint64_t r) {
        if (r == 0) return 0;
        int fd = ::open(path, O_PATH | O_CLOEXEC);
        if (fd < 0) return errno == ENOENT || errno == ELOOP ? 0 : (what = "open a path for Landlock", -errno);
        landlock_path_beneath_attr a{};
        a.parent_fd = fd;
        a.allowed_access = r;
        int rc = static_cast<int>(::syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &a, 0));
        int e = errno;
        ::close(fd);
        return rc < 0 ? (what = "landlock_add_rule", -e) : 0;
    }

    // Grant each entry of directory `path` (held in buf, length len) its rights, splitting further
    // where a restriction lies deeper.
    int walk(char* buf, size_t len, int depth) {
        int dfd = ::open(buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0) return errno == ENOENT ? 0 : (what = "open a directory for Landlock", -errno);
        alignas(8) char ents[4096];
        int rc = 0;
        for (;;) {
            long n = ::syscall(SYS_getdents64, dfd, ents, sizeof ents);
            if (n < 0) {
                rc = (what = "read a directory for Landlock", -errno);
                break;
            }
            if (n == 0) break;
            for (long off = 0; off < n && rc == 0;) {
                auto* d = reinterpret_cast<LinuxDirent64*>(ents + off);
                off += d->d_reclen;
                if (std::strcmp(d->d_name, ".") == 0 || std::strcmp(d->d_name, "..") == 0) continue;
                size_t nl = std::strlen(d->d_name);
                size_t sep = len == 1 ? 0 : 1;
                if (len + sep + nl >= PATH_MAX) continue;
                if (sep) buf[len] = '/';
                std::memcpy(buf + len + sep, d->d_name, nl + 1);
                if (d->d_type == DT_DIR && depth < 32 && must_split(buf))
                    rc = walk(buf, len + sep + nl, depth + 1);
                else
                    rc = grant(buf, rights(buf));
                buf[len] = '\0';
            }
            if (rc) break;
        }
        ::close(dfd);
        return rc;
    }
};

}  // namespace

int apply_landlock(const LandlockPlan& p, const char** what) {
    RulesetAttr attr;
    attr.handled_access_fs = kExec | kWrite;
    size_t size = sizeof(uint64_t);
    if (p.scope_signals || p.scope_abstract_unix) {
        attr.scoped = (p.scope_signals ? kScopeSignal : 0) | (p.scope_abstract_unix ? kScopeAbstractUnix : 0);
        size = sizeof attr;
    }
    int ruleset = static_cast<int>(::syscall(SYS_landlock_create_ruleset, &attr, size, 0));
    if (ruleset < 0) {
        *what = "landlock_create_ruleset";
        return -errno;
    }
    Walk w{p, ruleset};
    char buf[PATH_MAX] = "/";
    int rc = w.walk(buf, 1, 0);
    if (rc == 0 && ::syscall(SYS_landlock_restrict_self, ruleset, 0) < 0) {
        w.what = "landlock_restrict_self";
        rc = -errno;
    }
    ::close(ruleset);
    if (rc) *what = w.what;
    return rc;
}

}  // namespace docklock::process
