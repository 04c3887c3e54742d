#include "devices_bpf.hpp"

#include <fcntl.h>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "../util/error.hpp"
#include "../util/fd.hpp"
#include "../util/log.hpp"

namespace docklock::cgroups {
namespace {

bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
    bpf_insn i{};
    i.code = code;
    i.dst_reg = dst & 0xf;
    i.src_reg = src & 0xf;
    i.off = off;
    i.imm = imm;
    return i;
}

// r1 = struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }
// access_type = (access << 16) | type; type: 1 block, 2 char; access: 1 mknod, 2 read, 4 write.
std::vector<bpf_insn> program(const std::vector<spec::DeviceRule>& rules) {
    std::vector<bpf_insn> p;
    p.push_back(insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, 0, 0));
    p.push_back(insn(BPF_ALU | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff));  // r2 = type
    p.push_back(insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_3, BPF_REG_1, 0, 0));
    p.push_back(insn(BPF_ALU | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16));         // r3 = access
    p.push_back(insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_4, BPF_REG_1, 4, 0));  // r4 = major
    p.push_back(insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_5, BPF_REG_1, 8, 0));  // r5 = minor
    // Last rule first: the first block that matches decides, which makes the last matching rule win.
    for (auto it = rules.rbegin(); it != rules.rend(); ++it) {
        const auto& r = *it;
        std::vector<bpf_insn> blk;
        std::vector<size_t> jumps;  // indexes of "skip to the next block" jumps
        std::string t = r.type.empty() ? "a" : r.type;
        if (t == "b" || t == "c") {
            jumps.push_back(blk.size());
            blk.push_back(insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, 0, t == "b" ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR));
        }
        int acc = 0;
        for (char c : r.access.empty() ? std::string("rwm") : r.access)
            acc |= c == 'r' ? BPF_DEVCG_ACC_READ : c == 'w' ? BPF_DEVCG_ACC_WRITE : c == 'm' ? BPF_DEVCG_ACC_MKNOD : 0;
        if (acc != (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD)) {
            // the requested access must be within the rule's
            blk.push_back(insn(BPF_ALU | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_3, 0, 0));
            blk.push_back(insn(BPF_ALU | BPF_AND | BPF_K, BPF_REG_6, 0, 0, ~acc));
            jumps.push_back(blk.size());
            blk.push_back(insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_6, 0, 0, 0));
        }
        if (r.major && *r.major >= 0) {
            jumps.push_back(blk.size());
            blk.push_back(insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, 0, static_cast<int32_t>(*r.major)));
        }
        if (r.minor && *r.minor >= 0) {
            jumps.push_back(blk.size());
            blk.push_back(insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 0, static_cast<int32_t>(*r.minor)));
        }
        blk.push_back(insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, r.allow ? 1 : 0));
        blk.push_back(insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
        for (size_t j : jumps) blk[j].off = static_cast<int16_t>(blk.size() - (j + 1));
        p.insert(p.end(), blk.begin(), blk.end());
        if (jumps.empty()) return p;  // matches every access: earlier rules can never decide (and the verifier refuses dead code)
    }
    p.push_back(insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0));  // default deny
    p.push_back(insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
    return p;
}

long bpf(int cmd, bpf_attr& a) {
    return syscall(SYS_bpf, cmd, &a, sizeof a);
}

}  // namespace

void apply_device_rules_v2(const std::string& dir, const std::vector<spec::DeviceRule>& rules) {
    std::vector<bpf_insn> prog = program(rules);
    static char log[65536];
    bpf_attr load{};
    load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    load.insns = reinterpret_cast<uint64_t>(prog.data());
    load.insn_cnt = static_cast<uint32_t>(prog.size());
    load.license = reinterpret_cast<uint64_t>("Apache");
    load.log_buf = reinterpret_cast<uint64_t>(log);
    load.log_size = sizeof log;
    load.log_level = 1;
    UniqueFd pfd(static_cast<int>(bpf(BPF_PROG_LOAD, load)));
    if (!pfd) throw Error(std::string("linux.resources.devices: load the cgroup v2 device program: ") + log, errno);
    UniqueFd cg(::open(dir.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
    if (!cg) sys_fail("linux.resources.devices: open " + dir);
    // What was attached before (an update replaces it): query first, detach after the new one is in.
    uint32_t old_ids[64] = {};
    bpf_attr q{};
    q.query.target_fd = static_cast<uint32_t>(cg.get());
    q.query.attach_type = BPF_CGROUP_DEVICE;
    q.query.prog_ids = reinterpret_cast<uint64_t>(old_ids);
    q.query.prog_cnt = 64;
    long qrc = bpf(BPF_PROG_QUERY, q);
    uint32_t n_old = qrc == 0 ? q.query.prog_cnt : 0;
    log::debug("devices: " + std::to_string(n_old) + " device program(s) attached before (query rc " + std::to_string(qrc) + ")");
    bpf_attr at{};
    at.target_fd = static_cast<uint32_t>(cg.get());
    at.attach_bpf_fd = static_cast<uint32_t>(pfd.get());
    at.attach_type = BPF_CGROUP_DEVICE;
    at.attach_flags = BPF_F_ALLOW_MULTI;
    if (bpf(BPF_PROG_ATTACH, at) < 0) sys_fail("linux.resources.devices: attach the device program to " + dir);
    for (uint32_t i = 0; i < n_old && i < 64; ++i) {
        bpf_attr g{};
        g.prog_id = old_ids[i];
        UniqueFd ofd(static_cast<int>(bpf(BPF_PROG_GET_FD_BY_ID, g)));
        if (!ofd) continue;
        bpf_attr d{};
        d.target_fd = static_cast<uint32_t>(cg.get());
        d.attach_bpf_fd = static_cast<uint32_t>(ofd.get());
        d.attach_type = BPF_CGROUP_DEVICE;
        if (bpf(BPF_PROG_DETACH, d) < 0)
            log::warn("devices: detach the previous device program: " + std::string(std::strerror(errno)));
    }
}

}  // namespace docklock::cgroups
