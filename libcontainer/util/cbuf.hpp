// A fixed-size string builder for code that runs after clone (no allocation, no locale).
#pragma once
#include <cstddef>
#include <cstring>

namespace docklock {

template <size_t N = 4096>
class CBuf {
public:
    CBuf() { b_[0] = '\0'; }
    CBuf& add(const char* s) {
        if (!s) return *this;
        size_t l = std::strlen(s);
        if (n_ + l >= N) l = N - 1 - n_;
        std::memcpy(b_ + n_, s, l);
        n_ += l;
        b_[n_] = '\0';
        return *this;
    }
    CBuf& add(long v) {
        char tmp[24];
        int i = 0;
        bool neg = v < 0;
        unsigned long u = neg ? 0UL - static_cast<unsigned long>(v) : static_cast<unsigned long>(v);
        do tmp[i++] = static_cast<char>('0' + u % 10);
        while ((u /= 10) != 0);
        if (neg) tmp[i++] = '-';
        char out[24];
        for (int j = 0; j < i; ++j) out[j] = tmp[i - 1 - j];
        out[i] = '\0';
        return add(out);
    }
    const char* c_str() const { return b_; }
    size_t size() const { return n_; }
    void clear() {
        n_ = 0;
        b_[0] = '\0';
    }

private:
    char b_[N];
    size_t n_ = 0;
};

// "/proc/self/fd/<fd>": how a mount(2) call reaches a target that was opened symlink-safely.
inline CBuf<64> fd_path(int fd) {
    CBuf<64> b;
    b.add("/proc/self/fd/").add(static_cast<long>(fd));
    return b;
}

}  // namespace docklock
