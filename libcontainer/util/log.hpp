// Logging sink: libcontainer reports through these; runtime/ decides format and destination.
#pragma once
#include <string>

namespace docklock::log {

enum class Level { Debug, Info, Warn, Error };

void configure(const std::string& path, bool json, bool debug);  // path "" = stderr
void write(Level l, const std::string& msg);
inline void debug(const std::string& m) {
    write(Level::Debug, m);
}
inline void info(const std::string& m) {
    write(Level::Info, m);
}
inline void warn(const std::string& m) {
    write(Level::Warn, m);
}
inline void error(const std::string& m) {
    write(Level::Error, m);
}
bool debug_enabled();
// A line for the log file, not for stderr: the policy's findings. With --log it is written at info;
// without (the log is stderr, which engines relay as the runtime's error and where `run` writes next
// to the container's output) only when --debug asks for it. Findings are also kept with the state
// (`docklock findings`) and in the policy's audit_log.
void record(const std::string& m);

}  // namespace docklock::log
