#include "sync.hpp"

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace docklock::sync {

bool send(int fd, Msg type, int32_t value, const void* payload, size_t len) {
    if (len > kMaxPayload) len = kMaxPayload;
    Header h{type, value, static_cast<uint32_t>(len)};
    iovec iov[2] = {{&h, sizeof h}, {const_cast<void*>(payload), len}};
    msghdr m{};
    m.msg_iov = iov;
    m.msg_iovlen = len ? 2 : 1;
    ssize_t n;
    do n = ::sendmsg(fd, &m, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n == static_cast<ssize_t>(sizeof h + len);
}

ssize_t recvmsg_fd(int sock, void* buf, size_t len, int* fd_out) {
    char control[CMSG_SPACE(sizeof(int))] = {};
    iovec iov{buf, len};
    msghdr m{};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = control;
    m.msg_controllen = sizeof control;
    ssize_t n;
    do n = ::recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (fd_out) *fd_out = -1;
    if (n >= 0 && m.msg_controllen >= sizeof(cmsghdr)) {
        cmsghdr* c = CMSG_FIRSTHDR(&m);
        if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int got;
            std::memcpy(&got, CMSG_DATA(c), sizeof got);
            if (fd_out)
                *fd_out = got;
            else
                ::close(got);
        }
    }
    return n;
}

bool recv(int fd, Header& h, char* payload, size_t cap, int* fd_out) {
    static thread_local char buf[sizeof(Header) + kMaxPayload];
    ssize_t n = recvmsg_fd(fd, buf, sizeof buf, fd_out);
    if (n < static_cast<ssize_t>(sizeof h)) return false;
    std::memcpy(&h, buf, sizeof h);
    size_t got = static_cast<size_t>(n) - sizeof h;
    if (h.len > got) h.len = static_cast<uint32_t>(got);
    size_t copy = h.len < cap ? h.len : (cap ? cap - 1 : 0);
    if (payload && cap) {
        std::memcpy(payload, buf + sizeof h, copy);
        payload[copy] = '\0';
    }
    h.len = static_cast<uint32_t>(copy);
    return true;
}

ssize_t sendmsg_fd(int sock, const void* data, size_t len, int fd_to_send) {
    char control[CMSG_SPACE(sizeof(int))] = {};
    iovec iov{const_cast<void*>(data), len};
    msghdr m{};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    if (fd_to_send >= 0) {
        m.msg_control = control;
        m.msg_controllen = sizeof control;
        cmsghdr* c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        std::memcpy(CMSG_DATA(c), &fd_to_send, sizeof(int));
    }
    ssize_t n;
    do n = ::sendmsg(sock, &m, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n;
}

bool send_fd(int sock, int fd_to_send, const char* name) {
    return sendmsg_fd(sock, name, std::strlen(name), fd_to_send) >= 0;
}

bool send_msg_fd(int sock, Msg type, int fd_to_send) {
    Header h{type, 0, 0};
    return sendmsg_fd(sock, &h, sizeof h, fd_to_send) == static_cast<ssize_t>(sizeof h);
}

int recv_fd(int sock) {
    char name[256];
    int fd = -1;
    return recvmsg_fd(sock, name, sizeof name, &fd) < 0 ? -1 : fd;
}

}  // namespace docklock::sync
