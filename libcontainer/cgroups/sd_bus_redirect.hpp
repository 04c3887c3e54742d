// Include last, and only from cgroups/systemd.cpp: libsystemd's function names there call through the
// table of sd_bus_api.hpp, so libsystemd is loaded only when the systemd driver is used.
#pragma once
#include "sd_bus_api.hpp"

#define sd_booted (::docklock::cgroups::sdbus::api().sd_booted)
#define sd_bus_call (::docklock::cgroups::sdbus::api().sd_bus_call)
#define sd_bus_call_method (::docklock::cgroups::sdbus::api().sd_bus_call_method)
#define sd_bus_error_free (::docklock::cgroups::sdbus::api().sd_bus_error_free)
#define sd_bus_flush_close_unref (::docklock::cgroups::sdbus::api().sd_bus_flush_close_unref)
#define sd_bus_is_bus_client (::docklock::cgroups::sdbus::api().sd_bus_is_bus_client)
#define sd_bus_match_signal (::docklock::cgroups::sdbus::api().sd_bus_match_signal)
#define sd_bus_message_append (::docklock::cgroups::sdbus::api().sd_bus_message_append)
#define sd_bus_message_append_array (::docklock::cgroups::sdbus::api().sd_bus_message_append_array)
#define sd_bus_message_append_basic (::docklock::cgroups::sdbus::api().sd_bus_message_append_basic)
#define sd_bus_message_close_container (::docklock::cgroups::sdbus::api().sd_bus_message_close_container)
#define sd_bus_message_new_method_call (::docklock::cgroups::sdbus::api().sd_bus_message_new_method_call)
#define sd_bus_message_open_container (::docklock::cgroups::sdbus::api().sd_bus_message_open_container)
#define sd_bus_message_read (::docklock::cgroups::sdbus::api().sd_bus_message_read)
#define sd_bus_message_unref (::docklock::cgroups::sdbus::api().sd_bus_message_unref)
#define sd_bus_new (::docklock::cgroups::sdbus::api().sd_bus_new)
#define sd_bus_open_system (::docklock::cgroups::sdbus::api().sd_bus_open_system)
#define sd_bus_process (::docklock::cgroups::sdbus::api().sd_bus_process)
#define sd_bus_set_address (::docklock::cgroups::sdbus::api().sd_bus_set_address)
#define sd_bus_slot_unref (::docklock::cgroups::sdbus::api().sd_bus_slot_unref)
#define sd_bus_start (::docklock::cgroups::sdbus::api().sd_bus_start)
#define sd_bus_unref (::docklock::cgroups::sdbus::api().sd_bus_unref)
#define sd_bus_wait (::docklock::cgroups::sdbus::api().sd_bus_wait)
