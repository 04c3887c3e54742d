#include "caps.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "../libcontainer/util/error.hpp"

namespace docklock::caps {

int last_cap() {
    // Plain read(2): the first std::ifstream of a process costs ~0.5 ms of locale setup.
    static int cached = [] {
        int v = CAP_LAST_CAP;
        int fd = ::open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            char buf[16] = {};
            if (::read(fd, buf, sizeof buf - 1) > 0) v = std::atoi(buf);
            ::close(fd);
        }
        return v;
    }();
    return cached;
}

int from_name(const std::string& raw) {
    std::string n;
    for (char c : raw) n += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (n.rfind("cap_", 0) != 0) n = "cap_" + n;
    cap_value_t v;
    if (cap_from_name(n.c_str(), &v) != 0) return -1;
    return v;
}

std::string to_name(int cap) {
    char* s = cap_to_name(static_cast<cap_value_t>(cap));
    std::string out = s ? s : std::to_string(cap);
    cap_free(s);
    std::string up;
    for (char c : out) up += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return up;
}

std::vector<std::string> all_names() {
    std::vector<std::string> v;
    for (int i = 0; i <= last_cap(); ++i) v.push_back(to_name(i));
    return v;
}

std::vector<std::string> names_of(uint64_t mask) {
    std::vector<std::string> v;
    for (int i = 0; i < 64; ++i)
        if (mask & (1ULL << i)) v.push_back(to_name(i));
    return v;
}

uint64_t mask_of(const std::vector<std::string>& names, const std::string& field, std::vector<std::string>* dropped) {
    uint64_t m = 0;
    for (const auto& n : names) {
        int c = from_name(n);
        if (c < 0) {
            // libcap may be older than the kernel: accept CAP_<number>-style names it cannot know? No: unknown is an error.
            throw Error(field + ": unknown capability \"" + n + "\"");
        }
        if (c > last_cap()) {
            if (dropped) dropped->push_back(n);
            continue;
        }
        m |= 1ULL << c;
    }
    return m;
}

uint64_t bounding_set_of_self() {
    // One read of CapBnd instead of a prctl per capability (41 syscalls, ~0.1 ms on a VM).
    int fd = ::open("/proc/thread-self/status", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char buf[4096];
        ssize_t n = ::read(fd, buf, sizeof buf - 1);
        ::close(fd);
        if (n > 0) {
            buf[n] = '\0';
            if (const char* p = std::strstr(buf, "\nCapBnd:\t")) {
                char* end = nullptr;
                unsigned long long v = std::strtoull(p + 9, &end, 16);
                if (end != p + 9 && *end == '\n') return v;
            }
        }
    }
    uint64_t m = 0;
    for (int i = 0; i <= last_cap(); ++i)
        if (prctl(PR_CAPBSET_READ, i, 0, 0, 0) == 1) m |= 1ULL << i;
    return m;
}

int drop_bounding(uint64_t keep, int last) {
    for (int i = 0; i <= last; ++i) {
        if (keep & (1ULL << i)) continue;
        if (prctl(PR_CAPBSET_DROP, i, 0, 0, 0) < 0 && errno != EINVAL) return -1;
    }
    return 0;
}

int set_caps(uint64_t effective, uint64_t permitted, uint64_t inheritable) {
    __user_cap_header_struct h{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct d[2]{};
    d[0].effective = static_cast<uint32_t>(effective);
    d[1].effective = static_cast<uint32_t>(effective >> 32);
    d[0].permitted = static_cast<uint32_t>(permitted);
    d[1].permitted = static_cast<uint32_t>(permitted >> 32);
    d[0].inheritable = static_cast<uint32_t>(inheritable);
    d[1].inheritable = static_cast<uint32_t>(inheritable >> 32);
    return static_cast<int>(syscall(SYS_capset, &h, d));
}

int raise_ambient(uint64_t ambient, int last) {
    for (int i = 0; i <= last; ++i)
        if ((ambient & (1ULL << i)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, i, 0, 0) < 0) return -1;
    return 0;
}

}  // namespace docklock::caps
