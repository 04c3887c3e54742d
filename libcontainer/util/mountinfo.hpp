// /proc/self/mountinfo lines as views into its text (proc(5)): what cgroups discovery and the
// overlay reader need. Malformed lines are skipped.
#pragma once
#include <string_view>
#include <vector>

#include "text.hpp"

namespace docklock::mountinfo {

struct Entry {
    std::string_view root, mount_point, fstype, source, super_options;  // still \040-escaped
};

inline std::vector<Entry> parse(std::string_view text) {
    std::vector<Entry> out;
    for (std::string_view line : text::lines(text)) {
        size_t dash = line.find(" - ");
        if (dash == std::string_view::npos) continue;
        auto pre = text::fields(line.substr(0, dash)), post = text::fields(line.substr(dash + 3));
        if (pre.size() < 5 || post.size() < 3) continue;
        out.push_back({pre[3], pre[4], post[0], post[1], post[2]});
    }
    return out;
}

}  // namespace docklock::mountinfo
