#include "locked_flags.hpp"

#include <sys/mount.h>
#include <sys/statvfs.h>

namespace docklock::rootfs {

unsigned long current_mount_flags(const char* path, bool with_rdonly) {
    struct statvfs s;
    if (::statvfs(path, &s) < 0) return 0;
    unsigned long f = 0;
    if (s.f_flag & ST_NOSUID) f |= MS_NOSUID;
    if (s.f_flag & ST_NODEV) f |= MS_NODEV;
    if (s.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
    if (s.f_flag & ST_NOATIME) f |= MS_NOATIME;
    if (s.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
    if (s.f_flag & ST_RELATIME) f |= MS_RELATIME;
    if (with_rdonly && (s.f_flag & ST_RDONLY)) f |= MS_RDONLY;
    return f;
}

}  // namespace docklock::rootfs
