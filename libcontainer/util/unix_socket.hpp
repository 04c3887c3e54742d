// Unix stream sockets by path (start.sock, --console-socket), long paths included.
#pragma once
#include <string>
#include <utility>

#include "fd.hpp"

namespace docklock {

UniqueFd unix_listen(const std::string& path);
UniqueFd unix_connect(const std::string& path, const std::string& what);  // what: for the error line
std::pair<UniqueFd, UniqueFd> unix_pair();                                // connected, close-on-exec

}  // namespace docklock
