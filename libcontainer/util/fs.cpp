#include "fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "error.hpp"
#include "fd.hpp"

namespace docklock::fs {

bool read_file_if_exists(const std::string& path, std::string& out) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT) return false;
        sys_fail("open " + path);
    }
    out.clear();
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            sys_fail("read " + path);
        }
        if (n == 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    return true;
}

std::string read_file(const std::string& path) {
    std::string s;
    if (!read_file_if_exists(path, s)) throw Error("open " + path, ENOENT);
    return s;
}

static void write_all(int fd, const std::string& data, const std::string& path) {
    size_t off = 0;
    while (off < data.size()) {
        ssize_t n = ::write(fd, data.data() + off, data.size() - off);
        if (n < 0) {
            if (errno == EINTR) continue;
            sys_fail("write " + path);
        }
        off += static_cast<size_t>(n);
    }
}

static void write_and_rename(const std::string& path, const std::string& data, unsigned mode, bool sync) {
    std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode));
    if (!fd) sys_fail("create " + tmp);
    try {
        write_all(fd.get(), data, tmp);
        if (sync && ::fsync(fd.get()) < 0) sys_fail("fsync " + tmp);
    } catch (...) {
        ::unlink(tmp.c_str());
        throw;
    }
    fd.reset();
    if (::rename(tmp.c_str(), path.c_str()) < 0) {
        int e = errno;
        ::unlink(tmp.c_str());
        throw Error("rename " + tmp + " to " + path, e);
    }
}

void write_file_atomic(const std::string& path, const std::string& data, unsigned mode) {
    write_and_rename(path, data, mode, true);
}

void replace_file(const std::string& path, const std::string& data, unsigned mode) {
    write_and_rename(path, data, mode, false);
}

void write_file(const std::string& path, const std::string& data) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
    if (!fd) sys_fail("open " + path);
    write_all(fd.get(), data, path);
}

bool exists(const std::string& path) {
    struct stat st;
    return ::lstat(path.c_str(), &st) == 0;
}

void mkdir_p(const std::string& path, unsigned mode) {
    std::string cur;
    size_t i = 0;
    while (i <= path.size()) {
        size_t j = path.find('/', i);
        if (j == std::string::npos) j = path.size();
        cur = path.substr(0, j);
        if (!cur.empty() && ::mkdir(cur.c_str(), mode) < 0 && errno != EEXIST) sys_fail("mkdir " + cur);
        i = j + 1;
    }
}

static void remove_at(int dirfd, const char* name) {
    if (::unlinkat(dirfd, name, 0) == 0 || errno == ENOENT) return;
    if (errno != EISDIR && errno != EPERM) sys_fail(std::string("unlink ") + name);
    int fd = ::openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) sys_fail(std::string("open ") + name);
    DIR* d = ::fdopendir(fd);
    if (!d) {
        ::close(fd);
        sys_fail(std::string("fdopendir ") + name);
    }
    while (dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n == "." || n == "..") continue;
        remove_at(::dirfd(d), e->d_name);
    }
    ::closedir(d);
    if (::unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT) sys_fail(std::string("rmdir ") + name);
}

void remove_tree(const std::string& path) {
    remove_at(AT_FDCWD, path.c_str());
}

std::string join(const std::string& a, const std::string& b) {
    if (a.empty()) return b;
    if (b.empty()) return a;
    if (a.back() == '/') return b.front() == '/' ? a + b.substr(1) : a + b;
    return b.front() == '/' ? a + b : a + "/" + b;
}

std::string canonical_dir(const std::string& path) {
    char buf[PATH_MAX];
    if (!::realpath(path.c_str(), buf)) sys_fail(path);
    return buf;
}

}  // namespace docklock::fs
