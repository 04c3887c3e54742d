#include "parser.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "../libcontainer/util/error.hpp"
#include "../libcontainer/util/fd.hpp"

namespace docklock::apparmor {

void run_parser(const std::string& text, const std::string& name, bool quiet) {
    std::string parser;
    for (const char* p : {"/sbin/apparmor_parser", "/usr/sbin/apparmor_parser"})
        if (parser.empty() && ::access(p, X_OK) == 0) parser = p;
    if (parser.empty())
        throw Error("load AppArmor profile \"" + name + "\": apparmor_parser is missing (Debian package apparmor)");
    int in[2], err[2];
    if (::pipe2(in, O_CLOEXEC) < 0) sys_fail("pipe for apparmor_parser");
    UniqueFd in_r(in[0]), in_w(in[1]);
    if (::pipe2(err, O_CLOEXEC) < 0) sys_fail("pipe for apparmor_parser");
    UniqueFd err_r(err[0]), err_w(err[1]);
    pid_t pid = ::fork();
    if (pid < 0) sys_fail("fork apparmor_parser");
    if (pid == 0) {
        ::dup2(in_r.get(), 0);
        ::dup2(err_w.get(), 1);
        ::dup2(err_w.get(), 2);
        if (quiet)
            ::execl(parser.c_str(), "apparmor_parser", "-K", "-r", "-q", static_cast<char*>(nullptr));
        else
            ::execl(parser.c_str(), "apparmor_parser", "-K", "-r", static_cast<char*>(nullptr));
        _exit(127);
    }
    in_r.reset();
    err_w.reset();
    for (size_t off = 0; off < text.size();) {
        ssize_t n = ::write(in_w.get(), text.data() + off, text.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        off += static_cast<size_t>(n);
    }
    in_w.reset();
    std::string out;
    char buf[512];
    for (ssize_t n; (n = ::read(err_r.get(), buf, sizeof buf)) != 0;) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        while (!out.empty() && out.back() == '\n') out.pop_back();
        for (auto& c : out)
            if (c == '\n') c = ' ';
        throw Error("load AppArmor profile \"" + name + "\" with " + parser + ": " +
                    (out.empty() ? "exit status " + std::to_string(WEXITSTATUS(status)) : out));
    }
}

}  // namespace docklock::apparmor
