// syscall_probe NAME...: makes each named syscall in a way that succeeds (or fails with something
// other than EPERM/ENOSYS) when nothing filters it, and prints "NAME=OK" or "NAME=<ERRNO name>".
// Linked statically and bind-mounted into test containers, so tests can see what a seccomp filter
// really does. "nr:N" calls syscall N with harmless bad arguments.
// "sys:N[:a0[:a1...]]" calls syscall N with the given arguments and prints the value it returned
// ("sys:...=<value>") or the errno name; "int80:N" makes i386 syscall N through int 0x80 (a foreign
// architecture for an x86_64 filter); "thread:N[:a0...]" makes the call in a second thread and prints
// THREAD_GONE if that thread was killed while the process lived on.
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
#include <thread>
#include <vector>

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
    if (name.rfind("sys:", 0) == 0 || name.rfind("thread:", 0) == 0) {
        std::vector<long> v;
        for (size_t i = name.find(':'); i != std::string::npos; i = name.find(':', i + 1))
            v.push_back(std::strtol(name.c_str() + i + 1, nullptr, 0));
        v.resize(7, 0);
        return syscall(v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
    }
#if defined(__x86_64__)
    if (name.rfind("int80:", 0) == 0) {
        long rc = std::atol(name.c_str() + 6);
        asm volatile("int $0x80" : "+a"(rc) : "b"(0), "c"(0), "d"(0) : "memory");
        if (rc < 0 && rc > -4096) {
            errno = static_cast<int>(-rc);
            return -1;
        }
        return rc;
    }
#endif
    if (name.rfind("nr:", 0) == 0) return syscall(std::atol(name.c_str() + 3), -1, 0, 0, 0, 0, 0);
    std::fprintf(stderr, "syscall_probe: unknown probe %s\n", name.c_str());
    std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        std::string name = argv[i];
        errno = 0;
        long rc = -1;
        if (name.rfind("thread:", 0) == 0) {
            bool returned = false;
            int err = 0;
            std::thread t([&] {
                rc = probe(name);
                err = errno;
                returned = true;
            });
            t.join();  // the kernel wakes the joiner also when it kills the thread
            if (!returned) {
                std::printf("%s=THREAD_GONE\n", argv[i]);
                std::fflush(stdout);
                continue;
            }
            errno = err;
        } else {
            rc = probe(name);
        }
        const char* e = rc < 0 ? strerrorname_np(errno) : nullptr;
        bool value = name.rfind("sys:", 0) == 0 || name.rfind("thread:", 0) == 0 || name.rfind("int80:", 0) == 0;
        if (rc >= 0 && value) std::printf("%s=%ld\n", argv[i], rc);
        else std::printf("%s=%s\n", argv[i], rc >= 0 ? "OK" : (e ? e : "?"));
        std::fflush(stdout);
    }
    return 0;
}
