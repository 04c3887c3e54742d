// SELinux label handling. This host has no SELinux: the label checks, the context= formatting and
// the "not enabled" errors run here; applying a label (attr/exec, context= accepted by the kernel)
// needs an SELinux host and is reported as not run.
#include <sys/mount.h>

#include <catch2/catch.hpp>
#include <iostream>

#include "libcontainer/policy/policy.hpp"
#include "libcontainer/process/plan_builder.hpp"
#include "libcontainer/process/selinux.hpp"
#include "libcontainer/spec/spec.hpp"
#include "libcontainer/util/error.hpp"

using namespace docklock;

namespace {
std::string label_error(const std::string& label) {
    try {
        selinux::validate_label(label, "process.selinuxLabel");
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

std::string plan_error(const std::string& extra_process, const std::string& extra_linux) {
    std::string text = R"({"ociVersion":"1.0.2","root":{"path":"/"},"process":{"cwd":"/","args":["/bin/true"])" + extra_process +
                       R"(},"mounts":[{"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","mode=755"]},)"
                       R"({"destination":"/proc","type":"proc","source":"proc"}],"linux":{"namespaces":[{"type":"mount"}])" +
                       extra_linux + "}}";
    try {
        spec::Spec s = spec::parse_spec(text);
        process::PlanInputs in;
        in.bundle = "/";
        // create always passes the spec through the policy, which normalizes the mount options.
        process::InitPlan p = process::build_init_plan(policy::apply(s, policy::off(), {}).spec, in);
        process::close_plan_fds(p);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST_CASE("selinux: labels are user:role:type with an optional MLS level", "[selinux]") {
    CHECK(label_error("system_u:system_r:container_t:s0:c1,c2") == "");
    CHECK(label_error("system_u:system_r:container_t:s0") == "");
    CHECK(label_error("system_u:system_r:container_t") == "");
    CHECK_THAT(label_error("system_u:system_r"), Catch::Contains("process.selinuxLabel") && Catch::Contains("user:role:type"));
    CHECK_THAT(label_error("system_u::container_t"), Catch::Contains("has no role"));
    CHECK_THAT(label_error(":system_r:container_t"), Catch::Contains("has no user"));
    CHECK_THAT(label_error("system_u:system_r:"), Catch::Contains("has no type"));
    CHECK_THAT(label_error("system_u:system_r:container_t:"), Catch::Contains("empty level"));
    CHECK_THAT(label_error("system_u:system_r:container_t:s0\n"), Catch::Contains("control character"));
    CHECK_THAT(label_error("system_u:system_r:container_t:s0\",nosuid"), Catch::Contains("quote"));
}

TEST_CASE("selinux: mountLabel becomes a quoted context= option on mounts that take data", "[selinux]") {
    CHECK(selinux::format_mount_label("", "") == "");
    CHECK(selinux::format_mount_label("mode=755", "") == "mode=755");
    CHECK(selinux::format_mount_label("", "system_u:object_r:container_file_t:s0") == "context=\"system_u:object_r:container_file_t:s0\"");
    CHECK(selinux::format_mount_label("mode=755,size=65536k", "system_u:object_r:container_file_t:s0:c1,c2") ==
          "mode=755,size=65536k,context=\"system_u:object_r:container_file_t:s0:c1,c2\"");
    CHECK(selinux::takes_mount_label("tmpfs", false));
    CHECK(selinux::takes_mount_label("mqueue", false));
    CHECK(selinux::takes_mount_label("devpts", false));
    CHECK_FALSE(selinux::takes_mount_label("tmpfs", true));
    CHECK_FALSE(selinux::takes_mount_label("proc", false));
    CHECK_FALSE(selinux::takes_mount_label("sysfs", false));
    CHECK_FALSE(selinux::takes_mount_label("cgroup", false));
    CHECK_FALSE(selinux::takes_mount_label("cgroup2", false));
}

TEST_CASE("selinux: a label on a host without SELinux is a clear error naming the field", "[selinux]") {
    if (selinux::enabled()) {
        // An SELinux host: the plan carries the label and context= on the tmpfs, and not on proc.
        spec::Spec s = spec::parse_spec(
            R"({"ociVersion":"1.0.2","root":{"path":"/"},"process":{"cwd":"/","args":["/bin/true"],"selinuxLabel":"system_u:system_r:container_t:s0"},)"
            R"("mounts":[{"destination":"/dev","type":"tmpfs","source":"tmpfs"},{"destination":"/proc","type":"proc","source":"proc"}],)"
            R"("linux":{"namespaces":[{"type":"mount"}],"mountLabel":"system_u:object_r:container_file_t:s0"}})");
        process::PlanInputs in;
        in.bundle = "/";
        process::InitPlan p = process::build_init_plan(policy::apply(s, policy::off(), {}).spec, in);
        CHECK(p.creds.selinux_label == "system_u:system_r:container_t:s0");
        for (const auto& m : p.rootfs.mounts) {
            INFO(m.dest);
            if (m.fstype == "tmpfs") CHECK_THAT(m.data, Catch::Contains("context=\"system_u:object_r:container_file_t:s0\""));
            if (m.fstype == "proc") CHECK_THAT(m.data, !Catch::Contains("context="));
        }
        process::close_plan_fds(p);
        return;
    }
    std::cout << "selinux: this host has no SELinux (no /sys/fs/selinux/enforce): not run here: the kernel "
                 "applying process.selinuxLabel at execve and accepting context= on mounts\n";
    CHECK_THAT(plan_error(R"(,"selinuxLabel":"system_u:system_r:container_t:s0")", ""),
               Catch::Contains("process.selinuxLabel") && Catch::Contains("SELinux is not enabled"));
    CHECK_THAT(plan_error("", R"(,"mountLabel":"system_u:object_r:container_file_t:s0")"),
               Catch::Contains("linux.mountLabel") && Catch::Contains("SELinux is not enabled"));
    CHECK(plan_error("", "") == "");
}
