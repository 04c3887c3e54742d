// Small whole-file helpers for the runtime side (never used after clone).
#pragma once
#include <string>

namespace docklock::fs {

std::string read_file(const std::string& path);
bool read_file_if_exists(const std::string& path, std::string& out);
// Write to path.tmp-<pid>, fsync, rename over path: readers see old or new, never half. For files a
// user keeps (docklock spec, profiles).
void write_file_atomic(const std::string& path, const std::string& data, unsigned mode = 0644);
// The same without the fsync, for runtime state under --root (state.json, findings, the seccomp
// cache, whose entries are checksummed): a tmpfs in production and meaningless after a reboot, as
// runc treats it. On a disk-backed root each fsync cost create ~0.7 ms.
void replace_file(const std::string& path, const std::string& data, unsigned mode = 0644);
void write_file(const std::string& path, const std::string& data);  // O_WRONLY|O_TRUNC, no create
bool exists(const std::string& path);
void mkdir_p(const std::string& path, unsigned mode = 0755);
void remove_tree(const std::string& path);  // rm -rf, no symlink following
std::string join(const std::string& a, const std::string& b);
std::string canonical_dir(const std::string& path);  // realpath, error if missing

}  // namespace docklock::fs
