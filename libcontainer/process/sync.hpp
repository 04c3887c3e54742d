// One SOCK_SEQPACKET socketpair between the runtime and the container's first process.
// Both sides use only send/recv here, so the child side is async-signal-safe.
#pragma once
#include <sys/types.h>
#include <cstddef>
#include <cstdint>

namespace docklock::sync {

enum class Msg : uint32_t {
    Go = 1,           // parent -> child: cgroup joined, id maps written; proceed
    ChildPid,         // stage1 -> parent: pid of the process it cloned (value)
    HooksNeeded,      // child -> parent: namespaces and mounts ready, run prestart/createRuntime
    HooksDone,        // parent -> child: payload is the state JSON for createContainer hooks
    Ready,            // child -> parent: set up, blocked waiting for start
    Error,            // child -> parent: value = errno, payload = message
    SeccompListener,  // child -> parent: the seccomp notify fd rides along (SCM_RIGHTS)
};

struct Header {
    Msg type;
    int32_t value;
    uint32_t len;
};

constexpr size_t kMaxPayload = 60 * 1024;

// Returns false on EOF or error. Payload is truncated to cap.
bool send(int fd, Msg type, int32_t value = 0, const void* payload = nullptr, size_t len = 0);
// A file descriptor that arrives with the message goes to *fd_out (close-on-exec), or is closed.
bool recv(int fd, Header& h, char* payload, size_t cap, int* fd_out = nullptr);
// One sendmsg of len bytes, with fd_to_send as SCM_RIGHTS unless it is negative; retries EINTR, no
// SIGPIPE. Async-signal-safe. Returns what sendmsg returned.
ssize_t sendmsg_fd(int sock, const void* data, size_t len, int fd_to_send);
// One recvmsg into buf; an SCM_RIGHTS fd goes to *fd_out (close-on-exec; -1 when none came), or is
// closed when fd_out is null. Retries EINTR. Async-signal-safe. Returns what recvmsg returned.
ssize_t recvmsg_fd(int sock, void* buf, size_t len, int* fd_out);
bool send_msg_fd(int sock, Msg type, int fd_to_send);  // a header-only message carrying one fd
bool send_fd(int sock, int fd_to_send, const char* name);
int recv_fd(int sock);  // -1 on failure

}  // namespace docklock::sync
