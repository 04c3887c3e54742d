// "/a//b/./c/../d" -> "/a/b/d": a path cleaned lexically, no file read (".." above "/" stays "/").
#pragma once
#include <string>
#include <vector>

namespace docklock::util {

inline std::string clean_path(const std::string& p) {
    std::vector<std::string> parts;
    size_t i = 0;
    while (i <= p.size()) {
        size_t j = p.find('/', i);
        if (j == std::string::npos) j = p.size();
        std::string c = p.substr(i, j - i);
        if (c == "..") {
            if (!parts.empty()) parts.pop_back();
        } else if (!c.empty() && c != ".") {
            parts.push_back(c);
        }
        i = j + 1;
    }
    std::string out;
    for (const auto& c : parts) out += "/" + c;
    return out.empty() ? "/" : out;
}

}  // namespace docklock::util
