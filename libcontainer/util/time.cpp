#include "time.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace docklock {

std::string now_rfc3339() {
    auto t = std::chrono::system_clock::now();
    std::time_t s = std::chrono::system_clock::to_time_t(t);
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count() % 1000000000;
    std::tm tm{};
    gmtime_r(&s, &tm);
    char buf[64], out[96];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(out, sizeof out, "%s.%09lldZ", buf, static_cast<long long>(ns));
    return out;
}

}  // namespace docklock
