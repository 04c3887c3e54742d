// The baseline against a hostile config.json (issue 14), property-based: a seeded generator takes a
// Docker 20.10 fixture, applies 1-3 hostile deltas drawn from a grammar (mount types x options x
// source path forms x destinations, namespace paths, hooks, devices, cgroupsPath, process fields),
// runs it under the builtin policy with the census probe (test/probe/census.cpp) as the process, and
// checks the invariants from inside (the probe's report) and from the host (a marker dir, a sentinel
// cgroup with a sleeping process, nothing left after delete).
//
// DOCKLOCK_ADV_SEED (default: time) and DOCKLOCK_ADV_COUNT (default 500) drive it; DOCKLOCK_ADV_ONLY=N
// replays iteration N of a seed alone; DOCKLOCK_ADV_VERBOSE=1 prints every case and its outcome;
// DOCKLOCK_ADV_POLICY=off (default builtin) runs the same configs unjudged, where the checks must fire. Every violation prints
// the seed, the iteration, the deltas and the broken invariant; the test fails at the end with a table.
//
// Safety: docklock runs inside a wrapper (a new mount and cgroup namespace whose /sys/fs/cgroup/<h> are
// binds of this test's own sandbox cgroup), so cgroupsPath "/" or a foreign path only ever names the
// sandbox. Namespace paths to join point at the host's pid/ipc/net/cgroup (joining those is harmless
// here) and at a sacrificial mount namespace, never the host's mount or uts namespace. The probe only
// opens and closes; it never writes and never reads a marker.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>

#include "harness.hpp"

using namespace harness;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

#include "adversarial/util.inc"
#include "adversarial/world.inc"
#include "adversarial/grammar.inc"
#include "adversarial/invariants.inc"

}  // namespace

TEST_CASE("adversarial: the baseline holds against hostile config.json deltas", "[.][adversarial]") {
    require_root();
    if (!exists(FIXTURES_DIR)) {
        std::cout << "SKIP: the Docker fixtures are not at " FIXTURES_DIR "\n";
        std::exit(77);
    }
    if (!exists("/sys/fs/cgroup/pids/cgroup.procs") || access("/usr/bin/unshare", X_OK) != 0) {
        std::cout << "SKIP: needs a cgroup v1 pids hierarchy and unshare(1)\n";
        std::exit(77);
    }
    uint64_t seed = std::strtoull(
        env_or("DOCKLOCK_ADV_SEED", std::to_string(std::chrono::system_clock::now().time_since_epoch().count())).c_str(), nullptr,
        0);
    int count = std::atoi(env_or("DOCKLOCK_ADV_COUNT", "500").c_str());
    int only = std::atoi(env_or("DOCKLOCK_ADV_ONLY", "-1").c_str());
    // The checks' own test: DOCKLOCK_ADV_POLICY=off runs the same configs with no baseline, where the
    // invariants must break (a run that finds nothing there would be a checker that sees nothing).
    std::string policy = env_or("DOCKLOCK_ADV_POLICY", "builtin");
    std::cout << "adversarial: DOCKLOCK_ADV_SEED=" << seed << " DOCKLOCK_ADV_COUNT=" << count << std::endl;

    World w;
    w.setup(seed);
    auto bundle = std::make_unique<Bundle>();  // released before the end: nothing of it is left
    Bundle& b = *bundle;
    std::map<std::string, int> counts;
    std::map<std::string, std::string> examples;
    std::vector<std::string> report;
    int refused = 0, ran = 0;
    auto t0 = std::chrono::steady_clock::now();

    for (int i = 0; i < count; ++i) {
        if (only >= 0 && i != only) continue;
        std::string id = "adv" + std::to_string(getpid()) + "-" + std::to_string(i);
        Gen g(w, b, seed + static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ull);
        Case c = g.make(id);
        if (!c.config["linux"].contains("cgroupsPath") || c.deltas.dump().find("cgroupsPath") == std::string::npos)
            c.config["linux"]["cgroupsPath"] = "/adv/" + id;
        c.config["mounts"].push_back(
            {{"destination", "/.probe"}, {"type", "bind"}, {"source", CENSUS_BIN}, {"options", {"rbind", "ro"}}});
        c.config["mounts"].push_back(
            {{"destination", "/.w"}, {"type", "bind"}, {"source", w.scratch}, {"options", {"rbind", "rw"}}});
        json args = {"/.probe", "--marker-host",
                     std::string() + std::to_string(major(w.marker_dev)) + ":" + std::to_string(minor(w.marker_dev)) + ":" +
                         w.marker_file};
        for (const auto& m : c.markers) args.push_back("--marker"), args.push_back(m);
        args.push_back("--marker"), args.push_back("/proc/1/root" + w.marker_file);
        for (const auto& s : c.scans) args.push_back("--scan"), args.push_back(s);
        c.config["process"]["args"] = args;
        c.config["process"]["terminal"] = false;
        c.config["process"]["cwd"] = "/";
        b.config = c.config;
        b.write();

        std::string errf = w.dir + "/stderr";
        write_file(errf, "");
        Result r = run({"/bin/sh", w.dir + "/outer.sh", b.dir, id, DOCKLOCK_BIN, w.state, errf, policy}, "", 30);
        // docklock's stderr without its info/warning lines (findings of the baseline's changes)
        std::string err;
        for (const auto& l : lines_of(read(errf)))
            if (l.find(": info: ") == std::string::npos && l.find(": warning: ") == std::string::npos) err += l + "\n";
        err = trim(err);
        std::vector<Violation> v;
        int code = -1;
        size_t at = r.out.find("@@run=");
        if (at != std::string::npos) code = std::atoi(r.out.c_str() + at + 6);
        std::string report_text = r.out.substr(0, at == std::string::npos ? r.out.size() : at);
        bool has_report = report_text.find("status CapEff") != std::string::npos;
        if (r.code != 0 || at == std::string::npos)
            v.push_back({"wrapper ran", "wrapper exit " + std::to_string(r.code) + ": " + r.err.substr(0, 200)});
        if (code == 0 || has_report) {
            ++ran;
            check_report(w, c, report_text, v);
        } else {
            ++refused;
            if (err.empty() || err.find('\n') != std::string::npos)
                v.push_back({"refusal is one line naming a field", "stderr: " + err.substr(0, 300)});
        }
        if (r.out.find(w.token) != std::string::npos || err.find(w.token) != std::string::npos)
            v.push_back({"host marker never read", "the token is in the container's output"});

        // From the host.
        std::string ho = hooks_ran(w);
        if (!ho.empty()) v.push_back({"no hook runs outside the container's confinement", "host-side hook ran: " + ho});
        for (const auto& n : list_dir(w.scratch)) {
            if (n.rfind("hook-", 0) != 0) continue;
            auto f = words(read(w.scratch + "/" + n));
            std::map<std::string, std::string> st;
            for (size_t k = 0; k + 1 < f.size(); k += 2) st[f[k]] = f[k + 1];
            uint64_t eff = std::strtoull(st["CapEff:"].c_str(), nullptr, 16);
            if ((eff & ~w.allow_caps) || st["Seccomp:"] != "2" || st["NoNewPrivs:"] != "1")
                v.push_back({"container hooks run confined", n.substr(5) + " ran with " + read(w.scratch + "/" + n)});
            fs::remove(w.scratch + "/" + n);
        }
        std::set<std::string> names = list_dir(w.marker_dir);
        if (!(stamp(w.marker_file) == w.marker_stamp) || names != std::set<std::string>{"token"}) {
            std::string extra;
            for (const auto& n : names) extra += n + " ";
            v.push_back({"host marker untouched",
                         "marker dir now holds: " + extra +
                             (stamp(w.marker_file).content != w.marker_stamp.content             ? "(token content changed)"
                              : stamp(w.marker_file).atime.tv_sec != w.marker_stamp.atime.tv_sec ? "(token read: atime changed)"
                                                                                                 : "")});
        }
        bool sentinel_ok = alive(w.sentinel);
        std::string smax = trim(read(w.root("pids") + "/sentinel/pids.max"));
        std::string sprocs = read(w.root("pids") + "/sentinel/cgroup.procs");
        if (!sentinel_ok || smax != w.sentinel_pids_max || words(sprocs) != std::vector<std::string>{std::to_string(w.sentinel)})
            v.push_back({"no foreign cgroup touched",
                         "sentinel: alive=" + std::to_string(sentinel_ok) + " pids.max=" + smax + " procs=" + trim(sprocs)});
        // Nothing left: state, cgroups named for the id, mounts, processes.
        if (exists(w.state + "/" + id)) v.push_back({"nothing left after delete", "state dir " + id});
        // Any cgroup dir in the sandbox but the test's own (sentinel, wrapper) was made for this case: the
        // container's, or a parent level docklock made for it (issue 14 item 6: removed when empty).
        for (const auto& h : w.hierarchies) {
            std::string left_dir;
            for (const auto& d : w.case_cgroups(h)) left_dir += " " + d.substr(w.root(h).size());
            if (!left_dir.empty()) v.push_back({"nothing left after delete", h + " cgroup(s)" + left_dir});
        }
        std::string mi = read("/proc/self/mountinfo");
        if (mi.find(b.dir) != std::string::npos || mi.find(w.dir) != std::string::npos)
            v.push_back({"nothing left after delete", "a host mount references the bundle"});
        size_t mat = r.out.find("@@mounts=");
        if (mat != std::string::npos && std::atoi(r.out.c_str() + mat + 9) != 0)
            v.push_back({"nothing left after delete", "a mount in the runtime's namespace references the bundle"});
        std::set<int> keep{w.sentinel};
        std::vector<int> left;
        for (const auto& h : w.hierarchies) {
            auto l = w.kill_leftovers(h, w.root(h), keep);
            left.insert(left.end(), l.begin(), l.end());
        }
        if (!left.empty()) v.push_back({"nothing left after delete", std::to_string(left.size()) + " process(es) left"});

        // Restore the world for the next case (and record what had to be restored).
        run({DOCKLOCK_BIN, "--root", w.state, "delete", "--force", id});
        run({"rm", "-rf", w.state + "/" + id});
        for (const auto& h : w.hierarchies)
            for (const auto& d : w.case_cgroups(h)) World::remove_cgroups(d);
        // docklock enables the v2 controllers of the parents it uses (cgroup.subtree_control): undone, or
        // the wrapper could not join the sandbox root next time (no internal processes).
        for (const auto& h : w.hierarchies)
            for (const auto& ctl : words(read(w.root(h) + "/cgroup.subtree_control")))
                std::ofstream(w.root(h) + "/cgroup.subtree_control") << "-" << ctl << "\n";
        if (!alive(w.sentinel) || smax != w.sentinel_pids_max) {
            if (alive(w.sentinel)) kill(w.sentinel, SIGKILL);
            waitpid(w.sentinel, nullptr, 0);
            w.start_sentinel();
        }
        w.reset_marker();
        for (const auto& l : c.links) {
            std::error_code ec;
            fs::remove(l, ec);
        }
        for (const auto& n : list_dir(w.scratch)) fs::remove_all(w.scratch + "/" + n);

        if (!env_or("DOCKLOCK_ADV_VERBOSE", "").empty())
            std::cout << "case " << i << " exit=" << code << " " << c.deltas.dump() << "\n  " << err.substr(0, 300) << "\n";
        std::set<std::string> seen;
        for (const auto& x : v) {
            if (!seen.insert(x.invariant).second) continue;  // count each invariant once per case
            ++counts[x.invariant];
            if (!examples.count(x.invariant))
                examples[x.invariant] = "iteration " + std::to_string(i) + ": " + x.detail + "\n      deltas: " + c.deltas.dump();
        }
        if (!v.empty()) {
            std::ostringstream s;
            s << "VIOLATION seed=" << seed << " iteration=" << i << " exit=" << code << "\n  deltas: " << c.deltas.dump() << "\n";
            for (const auto& x : v) s << "  broken: " << x.invariant << ": " << x.detail << "\n";
            if (!err.empty()) s << "  stderr: " << err.substr(0, 300) << "\n";
            std::cout << s.str() << std::flush;
            report.push_back(s.str());
        }
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    bundle.reset();
    rmdir(state_root().c_str());  // the harness's root, made by ~Bundle's delete: empty here
    if (env_or("DOCKLOCK_ADV_KEEP", "").empty()) {
        w.teardown();
        // The test itself leaves nothing: its temp dir, sandbox cgroups, sentinel and namespace holder.
        std::vector<std::string> left;
        if (exists(w.dir)) left.push_back(w.dir);
        if (exists(state_root())) left.push_back(state_root());
        for (const auto& h : w.hierarchies)
            if (exists(w.root(h))) left.push_back(w.root(h));
        if (!w.v2_root.empty() && exists(w.v2_root)) left.push_back(w.v2_root);
        for (int pid : {w.sentinel, w.mntns_holder})
            if (pid > 0 && alive(pid)) left.push_back("pid " + std::to_string(pid));
        for (const auto& l : left) std::cout << "left behind: " << l << "\n";
        CHECK(left.empty());
    } else
        std::cout << "kept: " << w.dir << " and the sandbox cgroups " << w.sandbox << " (sentinel pid " << w.sentinel << ")\n";

    std::cout << "\nadversarial: " << (only >= 0 ? 1 : count) << " configs in " << secs << " s: " << ran << " ran, " << refused
              << " refused; " << report.size() << " with violations (seed " << seed << ")\n";
    for (const auto& [inv, n] : counts) std::cout << "  " << n << "  " << inv << "\n      e.g. " << examples[inv] << "\n";
    std::cout << "replay: DOCKLOCK_ADV_SEED=" << seed << " DOCKLOCK_ADV_COUNT=" << count
              << " [DOCKLOCK_ADV_ONLY=<iteration>] build/test/integration_tests '[adversarial]'" << std::endl;
    CHECK(report.empty());
}
