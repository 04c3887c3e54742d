#include "sd_bus_api.hpp"

#include <dlfcn.h>

#include <string>

#include "../util/error.hpp"

namespace docklock::cgroups::sdbus {

namespace {
Api load() {
    void* h = ::dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char* e = ::dlerror();
        throw Error(std::string("--systemd-cgroup: cannot load libsystemd.so.0 (the systemd cgroup driver talks to systemd through it): ") +
                    (e ? e : "dlopen failed"));
    }
    Api a;
    auto sym = [h](const char* name) {
        void* p = ::dlsym(h, name);
        if (!p) throw Error(std::string("--systemd-cgroup: libsystemd.so.0 has no ") + name);
        return p;
    };
#define DOCKLOCK_SD_LOAD(name) a.name = reinterpret_cast<decltype(a.name)>(sym(#name));
    DOCKLOCK_SD_FUNCTIONS(DOCKLOCK_SD_LOAD)
#undef DOCKLOCK_SD_LOAD
    return a;  // the handle stays open for the life of the process
}
}  // namespace

const Api& api() {
    static const Api a = load();
    return a;
}

}  // namespace docklock::cgroups::sdbus
