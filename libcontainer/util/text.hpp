// Splitting text read from /proc, /sys and /etc without iostreams: the first stream a process makes
// costs ~0.3-0.5 ms of locale set-up, more than a whole policy decision.
#pragma once
#include <string_view>
#include <vector>

namespace docklock::text {

// "a,b,,c" on ',' -> {"a", "b", "", "c"}; "" -> {}.
inline std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    if (s.empty()) return out;
    for (;;) {
        size_t j = s.find(sep);
        out.push_back(s.substr(0, j));
        if (j == std::string_view::npos) return out;
        s.remove_prefix(j + 1);
    }
}

// Lines without their '\n'; a final newline ends the last line rather than starting an empty one.
inline std::vector<std::string_view> lines(std::string_view s) {
    if (!s.empty() && s.back() == '\n') s.remove_suffix(1);
    return split(s, '\n');
}

// Whitespace-separated fields, as `in >> word` would read them.
inline std::vector<std::string_view> fields(std::string_view s) {
    std::vector<std::string_view> out;
    const char* ws = " \t\n\r\v\f";
    size_t i = s.find_first_not_of(ws);
    while (i != std::string_view::npos) {
        size_t j = s.find_first_of(ws, i);
        out.push_back(s.substr(i, j == std::string_view::npos ? j : j - i));
        i = j == std::string_view::npos ? j : s.find_first_not_of(ws, j);
    }
    return out;
}

}  // namespace docklock::text
