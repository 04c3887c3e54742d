#include "findings.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "../util/error.hpp"
#include "../util/fd.hpp"
#include "../util/fs.hpp"
#include "../util/log.hpp"
#include "../util/time.hpp"

namespace docklock::lifecycle {
namespace {

// One write(2) per finding on an O_APPEND fd: concurrent runtimes interleave whole lines.
void audit(const std::string& path, const std::string& id, const std::string& op,
           const std::vector<policy::Finding>& findings) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
    if (!fd && errno == ENOENT) {  // first use: make its directory (root-only, like the log)
        try {
            fs::mkdir_p(path.substr(0, path.rfind('/')), 0700);
        } catch (const Error&) {
        }
        fd = UniqueFd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
    }
    if (!fd) {
        log::warn("policy audit_log " + path + ": " + std::strerror(errno));
        return;
    }
    std::string time = now_rfc3339();
    for (const auto& f : findings) {
        nlohmann::json j = f.to_json();
        j["time"] = time;
        j["id"] = id;
        j["op"] = op;
        std::string line = j.dump() + "\n";
        if (::write(fd.get(), line.data(), line.size()) != static_cast<ssize_t>(line.size()))
            log::warn("policy audit_log " + path + ": " + std::strerror(errno));
    }
}

}  // namespace

void record_findings(const policy::Policy& p, const std::string& id, const std::string& op,
                     const std::vector<policy::Finding>& findings) {
    for (const auto& f : findings) log::record("policy: " + f.to_line());  // refusals: the error below
    if (!p.audit_log.empty() && !findings.empty()) audit(p.audit_log, id, op, findings);
    std::string refusal = policy::refusal_message(findings);
    if (!refusal.empty()) throw Error(refusal);
}

}  // namespace docklock::lifecycle
