// libsystemd, loaded with dlopen the first time the systemd cgroup driver talks to systemd. Every
// other docklock invocation (and create's re-exec, see process/exe_guard.hpp) then skips loading it
// and the five libraries it pulls in (libgcrypt, libgpg-error, liblzma, libzstd, liblz4), which took
// longer to load than all of docklock's other libraries.
// cgroups/systemd.cpp keeps libsystemd's names: sd_bus_redirect.hpp, included there last, sends them
// through the loaded table.
#pragma once
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>

#define DOCKLOCK_SD_FUNCTIONS(X)                                                                                       \
    X(sd_booted)                                                                                                       \
    X(sd_bus_call) X(sd_bus_call_method) X(sd_bus_error_free) X(sd_bus_flush_close_unref) X(sd_bus_is_bus_client)     \
    X(sd_bus_match_signal) X(sd_bus_message_append) X(sd_bus_message_append_array) X(sd_bus_message_append_basic)    \
    X(sd_bus_message_close_container) X(sd_bus_message_new_method_call) X(sd_bus_message_open_container)              \
    X(sd_bus_message_read) X(sd_bus_message_unref) X(sd_bus_new) X(sd_bus_open_system) X(sd_bus_process)             \
    X(sd_bus_set_address) X(sd_bus_slot_unref) X(sd_bus_start) X(sd_bus_unref) X(sd_bus_wait)

namespace docklock::cgroups::sdbus {

struct Api {
#define DOCKLOCK_SD_MEMBER(name) decltype(&::name) name = nullptr;
    DOCKLOCK_SD_FUNCTIONS(DOCKLOCK_SD_MEMBER)
#undef DOCKLOCK_SD_MEMBER
};

// Loads libsystemd.so.0 once; throws Error naming the library (and the missing symbol) if it cannot.
const Api& api();

}  // namespace docklock::cgroups::sdbus
