// policy_bench FIXTURE.json...: how long the policy engine takes per create, in-process: parse once,
// then policy::apply() with the builtin baseline and this host's facts, many times. hack/bench runs
// it; the engine must stay well under 1 ms per container.
#include <chrono>
#include <cstdio>
#include <string>

#include "libcontainer/policy/policy.hpp"
#include "libcontainer/util/fs.hpp"

using namespace docklock;

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: policy_bench CONFIG.json...\n");
        return 2;
    }
    policy::Policy pol = policy::builtin();
    auto t0 = std::chrono::steady_clock::now();
    policy::HostFacts host = policy::HostFacts::probe();
    double probe_us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%-24s %12s %10s\n", "config", "apply µs", "findings");
    std::printf("%-24s %12.1f %10s\n", "(HostFacts::probe)", probe_us, "-");
    double worst = probe_us;
    {  // what a fresh `docklock create` pays once: the first apply parses docklock's default seccomp profile
        spec::Spec s = spec::parse_spec(fs::read_file(argv[1]), argv[1]);
        auto start = std::chrono::steady_clock::now();
        policy::apply(s, pol, host);
        double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
        std::printf("%-24s %12.1f %10s\n", "(first apply, cold)", us, "-");
        worst = probe_us + us;
    }
    for (int i = 1; i < argc; ++i) {
        spec::Spec s = spec::parse_spec(fs::read_file(argv[i]), argv[i]);
        const int n = 2000;
        size_t findings = 0;
        auto start = std::chrono::steady_clock::now();
        for (int k = 0; k < n; ++k) findings = policy::apply(s, pol, host).findings.size();
        double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() / n;
        std::string name = argv[i];
        name = name.substr(name.rfind('/') + 1);
        std::printf("%-24s %12.1f %10zu\n", name.c_str(), us, findings);
    }
    std::printf("per create, cold process (probe + first apply): %.3f ms\n", worst / 1000.0);
    return 0;
}
