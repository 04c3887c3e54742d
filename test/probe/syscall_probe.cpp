// syscall_probe NAME...: makes each named syscall in a way that succeeds (or fails with something
// other than EPERM/ENOSYS) when nothing filters it, and prints "NAME=OK" or "NAME=<ERRNO name>".
// Linked statically and bind-mounted into test containers, so tests can see what a seccomp filter
// really does. "nr:N" calls syscall N with harmless bad arguments.
#include <fcntl.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

long probe(const std::string& name) {
    if (name == "unshare") return syscall(SYS_unshare, 0);  // flags 0: a no-op that succeeds
    if (name == "keyctl") return syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */, -3 /* session */, 0);
    if (name == "io_uring_setup") {
        char params[120] = {};
        long fd = syscall(425 /* io_uring_setup */, 1, params);
        if (fd >= 0) close(static_cast<int>(fd));
        return fd < 0 ? -1 : 0;
    }
    if (name == "userfaultfd") return syscall(SYS_userfaultfd, O_CLOEXEC | 1 /* UFFD_USER_MODE_ONLY */);
    if (name == "perf_event_open") {
        perf_event_attr a{};
        a.type = PERF_TYPE_SOFTWARE;
        a.size = sizeof a;
        a.config = PERF_COUNT_SW_CPU_CLOCK;
        a.exclude_kernel = 1;
        a.exclude_hv = 1;
        return syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
    }
    if (name == "af_alg") return socket(38 /* AF_ALG */, SOCK_SEQPACKET, 0);
    if (name == "af_vsock") return socket(40 /* AF_VSOCK */, SOCK_STREAM, 0);
    if (name == "clone3") return syscall(435 /* clone3 */, nullptr, 0);  // unfiltered: EINVAL
    if (name == "clone_newuser") {
        long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
        if (pid == 0) _exit(0);
        if (pid > 0) waitpid(static_cast<pid_t>(pid), nullptr, 0);
        return pid < 0 ? -1 : 0;
    }
    if (name == "chown") return chown("/", 0, 0);
    if (name.rfind("nr:", 0) == 0) return syscall(std::atol(name.c_str() + 3), -1, 0, 0, 0, 0, 0);
    std::fprintf(stderr, "syscall_probe: unknown probe %s\n", name.c_str());
    std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        errno = 0;
        long rc = probe(argv[i]);
        const char* e = rc < 0 ? strerrorname_np(errno) : nullptr;
        std::printf("%s=%s\n", argv[i], rc >= 0 ? "OK" : (e ? e : "?"));
    }
    return 0;
}
