#include "log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <ctime>

#include <nlohmann/json.hpp>

namespace docklock::log {
namespace {
int g_fd = 2;
bool g_json = false, g_debug = false;

std::string now() {
    auto t = std::chrono::system_clock::now();
    std::time_t s = std::chrono::system_clock::to_time_t(t);
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count() % 1000000000;
    char buf[64];
    std::tm tm{};
    gmtime_r(&s, &tm);
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[96];
    std::snprintf(out, sizeof out, "%s.%09lldZ", buf, static_cast<long long>(ns));
    return out;
}

const char* name(Level l) {
    switch (l) {
        case Level::Debug: return "debug";
        case Level::Info: return "info";
        case Level::Warn: return "warning";
        case Level::Error: return "error";
    }
    return "info";
}
}  // namespace

void configure(const std::string& path, bool json, bool debug) {
    g_json = json;
    g_debug = debug;
    if (!path.empty()) {
        int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0) g_fd = fd;
    }
}

bool debug_enabled() {
    return g_debug;
}

void record(const std::string& msg) {
    if (g_fd == 2 && !g_debug) return;
    write(Level::Info, msg);
}

void write(Level l, const std::string& msg) {
    if (l == Level::Debug && !g_debug) return;
    std::string line;
    if (g_json)
        line = nlohmann::json{{"level", name(l)}, {"msg", msg}, {"time", now()}}.dump() + "\n";
    else
        line = std::string(g_fd == 2 ? "docklock: " : now() + " " + name(l) + " ") +
               (g_fd == 2 && l != Level::Error ? std::string(name(l)) + ": " : "") + msg + "\n";
    ssize_t n = ::write(g_fd, line.data(), line.size());
    (void)n;
}

}  // namespace docklock::log
