// OCI hooks run on the host as root: only allowlisted executables, judged on the file the resolver
// opened (objects::Facts), which is what runs: the kernel's path of that file (a /proc/<pid>/exe
// link, as Docker's libnetwork-setkey prestart hook names dockerd, is its target) must be an
// `allow`ed absolute path; the file must be a regular file owned by root, not writable by group or
// others, and neither inside the container's rootfs nor its bundle. The hook runner checks the
// file it executes is the same one (hooks/hooks.cpp). createContainer and startContainer hooks run
// inside the container before its confinement is complete: refused.
#include <sys/stat.h>

#include <cstring>

#include "controls.hpp"

namespace docklock::policy::detail {
namespace {

// What the dynamic loader and libc read from the environment of a root process (glibc's list of
// variables it ignores for setuid programs, and every LD_*): in a hook's env they would load the
// client's code into an allowlisted executable running as host root with every capability.
bool loader_variable(const std::string& entry) {
    static const std::vector<std::string> names{
        "GCONV_PATH", "GETCONF_DIR", "GLIBC_TUNABLES",   "HOSTALIASES", "LOCALDOMAIN", "LOCPATH", "MALLOC_TRACE",
        "NIS_PATH",   "NLSPATH",     "RESOLV_HOST_CONF", "RES_OPTIONS", "TMPDIR",      "TZDIR"};
    std::string name = entry.substr(0, entry.find('='));
    return name.rfind("LD_", 0) == 0 || contains(names, name);
}

std::string strip_deleted(std::string p) {
    if (auto d = p.rfind(" (deleted)"); d != std::string::npos && d + 10 == p.size()) p.resize(d);
    return p;
}

// An allow entry: "PATH" (any arguments) or "PATH ARG0 ARG1 ..." (the hook's args must begin with
// these; "*" matches any one). dockerd as a hook must be its libnetwork-setkey re-exec, not a
// second daemon the client configures with its own flags.
std::vector<std::string> tokens(const std::string& entry) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < entry.size()) {
        size_t j = entry.find(' ', i);
        if (j == std::string::npos) j = entry.size();
        if (j > i) out.push_back(entry.substr(i, j - i));
        i = j + 1;
    }
    return out;
}

bool allowed_path(const std::vector<std::string>& allow, const std::string& target) {
    for (const auto& a : allow)
        if (auto t = tokens(a); !t.empty() && t[0] == target) return true;
    return false;
}

bool allowed_call(const std::vector<std::string>& allow, const std::string& target, const std::vector<std::string>& args) {
    for (const auto& a : allow) {
        auto t = tokens(a);
        if (t.empty() || t[0] != target) continue;
        if (args.size() + 1 < t.size()) continue;
        bool ok = true;
        for (size_t k = 1; k < t.size() && ok; ++k) ok = t[k] == "*" || t[k] == args[k - 1];
        if (ok) return true;
    }
    return false;
}

}  // namespace

void hooks(Ctx& x, spec::Hooks& h) {
    const std::string id = "hooks";
    if (x.mode(id) == Mode::Off) return;
    std::vector<std::string> allow = x.allowed(id);
    for (auto [list, name] : {std::pair{&h.prestart, "prestart"}, std::pair{&h.createRuntime, "createRuntime"},
                              std::pair{&h.createContainer, "createContainer"},
                              std::pair{&h.startContainer, "startContainer"}, std::pair{&h.poststart, "poststart"},
                              std::pair{&h.poststop, "poststop"}}) {
        std::vector<spec::Hook> kept;
        auto facts = x.obj.hooks.find(name);
        for (size_t i = 0; i < list->size(); ++i) {
            const auto& hook = (*list)[i];
            std::string field = std::string("hooks.") + name + "[" + std::to_string(i) + "].path";
            const objects::Facts* f =
                facts != x.obj.hooks.end() && i < facts->second.size() ? &facts->second[i] : nullptr;
            std::string what, hint;
            std::string target = f ? strip_deleted(f->path) : "";
            std::string shown = "\"" + hook.path + "\"" + (f && target != hook.path && !target.empty() ? " (" + target + ")" : "");
            if (std::string(name) == "createContainer" || std::string(name) == "startContainer") {
                what = shown + " would run inside the container before its seccomp filter, capabilities and "
                               "no_new_privs are in place";
            } else if (!f || !f->opened()) {
                what = shown + " cannot be opened" + (f ? std::string(": ") + std::strerror(f->error) : std::string());
            } else if (!S_ISREG(f->mode)) {
                what = shown + " is not a regular file";
            } else if (target.empty() || target[0] != '/' || !allowed_path(allow, target)) {
                what = shown + " is not an allowed hook executable";
                if (!target.empty() && target[0] == '/') hint = "\"" + target + "\"";
            } else if (!allowed_call(allow, target, hook.args)) {
                what = shown + " with args [" + join(hook.args, " ") +
                       "] is not an allowed call of it (the allowlist pins its arguments)";
            } else if (f->uid != 0) {
                what = shown + " is owned by uid " + std::to_string(f->uid) + ", not root";
            } else if (f->mode & 022) {
                what = shown + " is writable by its group or others";
            } else if (f->inside(x.obj.root) || f->inside(x.obj.bundle)) {
                what = shown + " is inside the container's rootfs or bundle";
            } else {
                std::vector<std::string> bad;
                for (const auto& e : hook.env)
                    if (loader_variable(e)) bad.push_back(e.substr(0, e.find('=')));
                if (!bad.empty()) {
                    what = shown + " would run as host root with " + join(bad, ", ") +
                           " from the config: the dynamic loader and libc would load the client's code into it";
                    field = std::string("hooks.") + name + "[" + std::to_string(i) + "].env";
                }
            }
            if (what.empty()) {
                kept.push_back(hook);
                continue;
            }
            if (!x.violation(id, field, hook.path, "hook dropped", what, hint)) kept.push_back(hook);
        }
        *list = kept;
    }
}

}  // namespace docklock::policy::detail
