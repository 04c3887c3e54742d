// The seccomp BPF cache (seccomp/compile.cpp): an entry is used only for the very input it was made
// from, and anything wrong with it means a recompile, never an error or another profile's program.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "../../seccomp/compile.hpp"

using namespace docklock;
namespace stdfs = std::filesystem;

namespace {

spec::Seccomp profile_with_errno(uint32_t e) {
    spec::Seccomp s;
    s.defaultAction = "SCMP_ACT_ERRNO";
    s.syscalls.push_back({{"read", "write", "exit_group", "no_such_call_docklock"}, "SCMP_ACT_ALLOW", std::nullopt, {}});
    s.syscalls.push_back({{"getpid"}, "SCMP_ACT_ERRNO", e, {}});
    return s;
}

bool same(const std::vector<sock_filter>& a, const std::vector<sock_filter>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(sock_filter)) == 0;
}

std::vector<stdfs::path> entries(const std::string& dir) {
    std::vector<stdfs::path> v;
    for (const auto& e : stdfs::directory_iterator(dir)) v.push_back(e.path());
    return v;
}

std::string slurp(const stdfs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

struct TempCache {
    std::string root;
    TempCache() {
        char t[] = "/tmp/docklock-seccomp-cache-XXXXXX";
        root = mkdtemp(t);
        seccomp::set_cache(root + "/seccomp-cache", "unit-test");
    }
    ~TempCache() {
        seccomp::set_cache("", "");
        stdfs::remove_all(root);
    }
    std::string dir() const { return root + "/seccomp-cache"; }
};

}  // namespace

TEST_CASE("seccomp cache: one 0600 entry per profile - the cached program is the compiled one") {
    TempCache c;
    spec::Seccomp a = profile_with_errno(42);
    std::vector<std::string> skipped1, skipped2;
    auto first = seccomp::compile(a, &skipped1);
    auto files = entries(c.dir());
    REQUIRE(files.size() == 1);
    struct stat st {};
    REQUIRE(stat(files[0].c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(files[0].extension() == ".bpf");
    auto second = seccomp::compile(a, &skipped2);
    CHECK(same(first.prog, second.prog));
    CHECK(skipped1 == std::vector<std::string>{"no_such_call_docklock"});
    CHECK(skipped2 == skipped1);  // the skipped names come back from the cache too
    // listenerPath and flags do not change the program: same entry.
    a.listenerPath = "/run/agent.sock";
    seccomp::compile(a);
    CHECK(entries(c.dir()).size() == 1);
    seccomp::compile(profile_with_errno(43));
    CHECK(entries(c.dir()).size() == 2);
}

TEST_CASE("seccomp cache: another profile's entry under this profile's name is never loaded") {
    TempCache c;
    spec::Seccomp a = profile_with_errno(42), b = profile_with_errno(43);
    auto pa = seccomp::compile(a);
    std::string a_entry = entries(c.dir())[0].string();
    auto pb = seccomp::compile(b);
    REQUIRE_FALSE(same(pa.prog, pb.prog));
    std::string b_entry;
    for (const auto& p : entries(c.dir()))
        if (p.string() != a_entry) b_entry = p.string();
    // What a hash collision would look like: a valid entry (checksum and all) for the other input.
    stdfs::copy_file(a_entry, b_entry, stdfs::copy_options::overwrite_existing);
    auto again = seccomp::compile(b);
    CHECK(same(again.prog, pb.prog));
    CHECK(slurp(b_entry) != slurp(a_entry));  // rewritten with b's own program
}

TEST_CASE("seccomp cache: truncated and corrupt entries are recompiled - an unwritable cache is no error") {
    TempCache c;
    spec::Seccomp a = profile_with_errno(42);
    auto pa = seccomp::compile(a);
    auto entry = entries(c.dir())[0];
    std::string full = slurp(entry);
    for (size_t cut : {size_t{0}, size_t{5}, full.size() / 2, full.size() - 1}) {
        std::ofstream(entry, std::ios::binary | std::ios::trunc) << full.substr(0, cut);
        CHECK(same(seccomp::compile(a).prog, pa.prog));
        CHECK(slurp(entry) == full);
    }
    // A cache directory that cannot be made (its parent is a file): compile still works.
    seccomp::set_cache(c.root + "/file/seccomp-cache", "unit-test");
    std::ofstream(c.root + "/file") << "x";
    CHECK(same(seccomp::compile(a).prog, pa.prog));
}
