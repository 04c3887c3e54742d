// Capability names <-> numbers (libcap), and applying the five sets after clone (raw syscalls).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace docklock::caps {

int last_cap();                          // the running kernel's CAP_LAST_CAP
int from_name(const std::string& name);  // "CAP_NET_RAW" or "NET_RAW" -> 13; -1 if unknown to libcap
std::string to_name(int cap);            // 13 -> "CAP_NET_RAW"
std::vector<std::string> all_names();    // every capability the kernel knows
std::vector<std::string> names_of(uint64_t mask);

// Names -> bit mask. An unknown name throws (naming field); a name newer than the kernel
// is dropped and reported through `dropped`.
uint64_t mask_of(const std::vector<std::string>& names, const std::string& field, std::vector<std::string>* dropped = nullptr);

uint64_t bounding_set_of_self();  // CapBnd of the runtime process: nothing outside it can be granted

// After clone (async-signal-safe). Return 0 or -1 with errno.
int drop_bounding(uint64_t keep, int last);
int set_caps(uint64_t effective, uint64_t permitted, uint64_t inheritable);
int raise_ambient(uint64_t ambient, int last);

}  // namespace docklock::caps
