// User namespaces beyond the id maps: idmapped mounts (mounts[].uidMappings), sysfs in a user
// namespace that does not own the network namespace, and the policy's userns remap.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "harness.hpp"

using namespace harness;
using nlohmann::json;

namespace {

const json kMap = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};

// A bundle whose container has its own user namespace mapping 0..65535 to 100000.., rootfs chowned to match.
void with_userns(Bundle& b) {
    b.config["linux"]["namespaces"].push_back({{"type", "user"}});
    b.config["linux"]["uidMappings"] = kMap;
    b.config["linux"]["gidMappings"] = kMap;
    run({"chown", "-R", "100000:100000", b.dir + "/rootfs"});
}

std::string owner(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return "missing";
    return std::to_string(st.st_uid) + ":" + std::to_string(st.st_gid);
}

}  // namespace

TEST_CASE("idmapped mount: a host file shows its mapped owner inside and a file made inside gets the host owner back") {
    Bundle b;
    with_userns(b);
    std::string src = b.dir + "/src";
    REQUIRE(run({"mkdir", "-p", src}).code == 0);
    REQUIRE(run({"sh", "-c", "echo hi > " + src + "/owned && chown 1234:2345 " + src + "/owned"}).code == 0);
    b.config["mounts"].push_back({{"destination", "/data"},
                                  {"type", "bind"},
                                  {"source", src},
                                  {"options", {"bind", "rw"}},
                                  {"uidMappings", kMap},
                                  {"gidMappings", kMap}});
    b.config["mounts"].push_back({{"destination", "/plain"}, {"type", "bind"}, {"source", src}, {"options", {"bind"}}});
    b.sh("stat -c %u:%g /data/owned /plain/owned; touch /data/made-inside; stat -c %u:%g /data/made-inside");
    Result r = b.run();
    INFO(r.err);
    REQUIRE(r.code == 0);
    // Through the idmapped mount host 1234 is container 1234; through a plain bind it is unmapped (overflow id).
    CHECK(r.out == "1234:2345\n65534:65534\n0:0\n");
    CHECK(owner(src + "/made-inside") == "0:0");  // container root wrote as on-disk 0 through the maps
}

TEST_CASE("idmapped mount: the idmap option takes the container's maps and ridmap reaches submounts") {
    Bundle b;
    with_userns(b);
    std::string src = b.dir + "/src";
    REQUIRE(run({"mkdir", "-p", src}).code == 0);
    REQUIRE(run({"sh", "-c", "touch " + src + "/f && chown 42:43 " + src + "/f"}).code == 0);
    b.config["mounts"].push_back({{"destination", "/data"}, {"type", "bind"}, {"source", src}, {"options", {"rbind", "ridmap"}}});
    b.sh("stat -c %u:%g /data/f");
    Result r = b.run();
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(r.out == "42:43\n");
}

TEST_CASE("idmapped mount: errors name the field") {
    Bundle b;
    std::string src = b.dir + "/src";
    REQUIRE(run({"mkdir", "-p", src}).code == 0);
    b.config["mounts"].push_back({{"destination", "/data"},
                                  {"type", "bind"},
                                  {"source", src},
                                  {"options", {"bind"}},
                                  {"uidMappings", kMap},
                                  {"gidMappings", kMap}});
    b.args({"true"});
    Result r = b.run();
    CHECK(r.code != 0);
    CHECK_THAT(r.err, Catch::Contains("mounts[" + std::to_string(b.config["mounts"].size() - 1) +
                                      "].uidMappings: idmapped mounts need the container to have a user namespace"));
    Bundle c;
    with_userns(c);
    c.config["mounts"].push_back(
        {{"destination", "/data"}, {"type", "bind"}, {"source", src}, {"options", {"bind"}}, {"uidMappings", kMap}});
    c.args({"true"});
    r = c.run();
    CHECK(r.code != 0);
    CHECK_THAT(r.err, Catch::Contains("].gidMappings: required with uidMappings"));
}

TEST_CASE("features reports idmapped mounts as the kernel has them") {
    Result r = docklock({"features"});
    REQUIRE(r.code == 0);
    json j = json::parse(r.out);
    // This host's kernel (6.x) has mount_setattr, so idmapped mounts are enabled.
    CHECK(j["linux"]["mountExtensions"]["idmap"]["enabled"] == true);
}

TEST_CASE("sysfs in a user namespace that does not own the network namespace is the host's /sys bound read-only") {
    Bundle b;
    with_userns(b);
    auto& ns = b.config["linux"]["namespaces"];
    for (size_t i = 0; i < ns.size(); ++i)
        if (ns[i]["type"] == "network") ns.erase(i);  // the host's network namespace, owned by the initial user ns
    b.sh(
        "ls /sys/class/net | sort | tr '\\n' ' '; echo; grep ' /sys ' /proc/self/mountinfo; "
        "touch /sys/kernel/x 2>&1 || echo write-refused");
    Result r = b.run();
    INFO(r.err);
    REQUIRE(r.code == 0);
    std::string host_ifaces = run({"sh", "-c", "ls /sys/class/net | sort | tr '\\n' ' '"}).out;
    std::istringstream in(r.out);
    std::string line;
    std::getline(in, line);
    CHECK(line == host_ifaces);  // the host's interfaces: a bind of the host's /sys, not a new sysfs
    std::getline(in, line);
    CHECK_THAT(line, Catch::Contains(" /sys ro,"));
    CHECK_THAT(r.out, Catch::Contains("write-refused"));
}

TEST_CASE("sysfs with a new user namespace and a network namespace joined by path") {
    Bundle a;  // holds a network namespace created by the initial user namespace
    a.sh("sleep 30");
    REQUIRE(a.run({"--detach"}).code == 0);
    std::string pid = std::to_string(json::parse(docklock({"state", a.id}).out)["pid"].get<int>());
    Bundle b;
    with_userns(b);
    for (auto& n : b.config["linux"]["namespaces"])
        if (n["type"] == "network") n["path"] = "/proc/" + pid + "/ns/net";
    b.sh("readlink /proc/self/ns/net; ls /sys/class/net | tr '\\n' ' '; echo; grep ' /sys ' /proc/self/mountinfo");
    Result r = b.run();
    INFO(r.err);
    REQUIRE(r.code == 0);
    char buf[128] = {};
    REQUIRE(readlink(("/proc/" + pid + "/ns/net").c_str(), buf, sizeof buf - 1) > 0);
    std::istringstream in(r.out);
    std::string line;
    std::getline(in, line);
    CHECK(line == buf);
    std::getline(in, line);
    CHECK_THAT(line, Catch::Contains("lo"));
    std::getline(in, line);
    CHECK_THAT(line, Catch::Contains(" /sys ro,"));
}

namespace {

const char* const kSubUser = "docklock-test-userns";  // a dedicated name: no other container is remapped

// Appends "docklock-test-userns:START:65536" to /etc/subuid and /etc/subgid; the files are restored as
// they were (or removed if there were none) when it goes.
class SubidEntry {
public:
    explicit SubidEntry(unsigned start) {
        for (const char* f : {"/etc/subuid", "/etc/subgid"}) {
            saved_.push_back({f, exists(f), exists(f) ? read(f) : ""});
            std::ofstream(f, std::ios::app) << kSubUser << ":" << start << ":65536\n";
        }
    }
    ~SubidEntry() {
        for (const auto& s : saved_) {
            if (s.existed)
                std::ofstream(s.path, std::ios::trunc) << s.text;
            else
                ::unlink(s.path.c_str());
        }
    }
    SubidEntry(const SubidEntry&) = delete;
    SubidEntry& operator=(const SubidEntry&) = delete;

private:
    struct Saved {
        std::string path;
        bool existed;
        std::string text;
    };
    std::vector<Saved> saved_;
};

// The builtin baseline with userns remapping to kSubUser, and CAP_MKNOD and CAP_DAC_OVERRIDE allowed
// so that the tests show the user namespace (not the capability set) stopping root.
std::string remap_policy(const Bundle& b, const std::string& extra = "") {
    std::string path = b.dir + "/policy.yaml";
    std::ofstream(path) << "controls:\n"
                        << "  userns: {mode: enforce, user: " << kSubUser << extra << "}\n"
                        << "  capabilities:\n    allow: [CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID, CAP_KILL,"
                        << " CAP_SETGID, CAP_SETUID, CAP_NET_BIND_SERVICE, CAP_MKNOD]\n";
    return path;
}

void grant_caps(Bundle& b) {
    for (const char* set : {"bounding", "effective", "permitted"})
        for (const char* c : {"CAP_MKNOD", "CAP_DAC_OVERRIDE", "CAP_CHOWN"})
            b.config["process"]["capabilities"][set].push_back(c);
}

json findings_of(const std::string& id) {
    Result f = docklock({"findings", "--format", "json", id});
    return f.code == 0 ? json::parse(f.out) : json::array();
}

json finding(const json& fs, const std::string& control) {
    for (const auto& f : fs)
        if (f["control"] == control) return f;
    return json();
}

}  // namespace

TEST_CASE("userns remap: container root is a subordinate id with a root-owned rootfs and no host-root powers") {
    require_root();
    SubidEntry sub(300000);
    Bundle b;
    UsePolicy pol(remap_policy(b));
    grant_caps(b);
    std::string w = b.dir + "/w", secret = b.dir + "/secret";
    REQUIRE(run({"mkdir", "-m", "0777", w}).code == 0);
    REQUIRE(run({"sh", "-c", "echo top > " + secret + " && chmod 0600 " + secret}).code == 0);
    b.config["mounts"].push_back({{"destination", "/w"}, {"type", "bind"}, {"source", w}, {"options", {"rbind", "rw"}}});
    b.config["mounts"].push_back({{"destination", "/secret"}, {"type", "bind"}, {"source", secret}, {"options", {"bind", "ro"}}});
    b.sh(
        "cat /proc/self/uid_map /proc/self/gid_map; id -u; stat -c %u:%g / /bin/busybox /etc/passwd; "
        "touch /w/made; echo made > /made-in-rootfs; "
        "cat /secret 2>/dev/null || echo secret-refused; mknod /tmp/n c 1 3 2>/dev/null || echo mknod-refused; "
        "echo x > /dev/null && echo devnull-ok");
    Result r = b.run();
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(r.out ==
          "         0     300000      65536\n"
          "         0     300000      65536\n"
          "0\n0:0\n0:0\n0:0\n"
          "secret-refused\nmknod-refused\ndevnull-ok\n");
    CHECK(owner(w + "/made") == "300000:300000");             // a bind is not idmapped: the subordinate owner
    CHECK(owner(b.dir + "/rootfs/made-in-rootfs") == "0:0");  // through the idmapped rootfs: host root's again

    // Seen from the host while it runs, and what the findings say.
    b.sh("sleep 10");
    REQUIRE(b.run({"--detach"}).code == 0);
    int pid = json::parse(docklock({"state", b.id}).out)["pid"];
    CHECK_THAT(read("/proc/" + std::to_string(pid) + "/status"), Catch::Contains("Uid:\t300000\t300000\t300000\t300000"));
    json f = finding(findings_of(b.id), "userns");
    CHECK(f["action"] == "changed");
    CHECK_THAT(f["applied"].get<std::string>(), Catch::Contains("host uids 300000-365535"));
    Result e = docklock({"exec", b.id, "sh", "-c", "id -u; cat /proc/self/uid_map"});
    CHECK(e.code == 0);
    CHECK(e.out == "0\n         0     300000      65536\n");
    docklock({"delete", "--force", b.id});
}

TEST_CASE("userns remap: binds under userns.idmap are idmapped for the container's root and other host paths keep host owners") {
    require_root();
    SubidEntry sub(300000);
    Bundle b;
    std::string data = b.dir + "/engine-data", other = b.dir + "/host-dir";
    UsePolicy pol(remap_policy(b, ", idmap: [" + data + "]"));
    REQUIRE(run({"mkdir", "-m", "0755", data, other}).code == 0);  // root-owned, as the engines' dirs are
    REQUIRE(run({"sh", "-c", "echo x > " + data + "/f && chown 1234:1234 " + data + "/f"}).code == 0);
    b.config["mounts"].push_back({{"destination", "/data"}, {"type", "bind"}, {"source", data}, {"options", {"rbind", "rw"}}});
    b.config["mounts"].push_back({{"destination", "/other"}, {"type", "bind"}, {"source", other}, {"options", {"rbind", "rw"}}});
    b.sh(
        "stat -c %u:%g /data /data/f /other; touch /data/made && echo data-writable; "
        "touch /other/made 2>/dev/null || echo other-refused; grep ' /data ' /proc/self/mountinfo | grep -c idmapped");
    Result r = b.run({"--keep"});
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(r.out == "0:0\n1234:1234\n65534:65534\ndata-writable\nother-refused\n1\n");
    CHECK(owner(data + "/made") == "0:0");  // through the idmapped bind: host root's, as without the remap
    CHECK_FALSE(exists(other + "/made"));
    Result f = docklock({"findings", b.id});
    CHECK_THAT(f.out, Catch::Contains("idmapped: /data"));
    CHECK_THAT(f.out, Catch::Contains("outside userns.idmap"));
    docklock({"delete", "--force", b.id});
}

namespace {

// Unmounts (lazily) what it was given when it goes: declared after the Bundle, so it runs first.
struct Unmount {
    std::string path;
    ~Unmount() {
        if (!path.empty()) run({"umount", "-l", path});
    }
};

}  // namespace

TEST_CASE("userns remap: an overlay rootfs is rebuilt over idmapped layers - the kernel refuses idmapping the overlay itself") {
    require_root();
    SubidEntry sub(300000);
    Bundle b;
    UsePolicy pol(remap_policy(b));
    // Docker's layout: <id>/diff and <id>/work beside the merged mount, lower layers elsewhere.
    std::string lower = b.dir + "/lower", layer = b.dir + "/layer", root = b.dir + "/rootfs";
    REQUIRE(run({"mv", root, lower}).code == 0);
    REQUIRE(run({"mkdir", "-p", layer + "/diff", layer + "/work", root}).code == 0);
    REQUIRE(run({"mount", "-t", "overlay", "overlay", "-o",
                 "lowerdir=" + lower + ",upperdir=" + layer + "/diff,workdir=" + layer + "/work", root})
                .code == 0);
    Unmount um{root};
    b.sh(
        "cat /proc/self/uid_map; stat -c %u:%g / /bin/busybox /etc/passwd; echo new > /new-file; "
        "rm /etc/hostname; mkdir /made-dir; ls /etc/hostname 2>/dev/null || echo removed");
    Result r = b.run();
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(r.out == "         0     300000      65536\n0:0\n0:0\n0:0\nremoved\n");
    // In the upper layer, as the engine's own overlay sees it: host root's files, a whiteout.
    CHECK(owner(layer + "/diff/new-file") == "0:0");
    CHECK(owner(layer + "/diff/made-dir") == "0:0");
    CHECK(read(root + "/new-file") == "new\n");
    struct stat st {};
    REQUIRE(::stat((layer + "/diff/etc/hostname").c_str(), &st) == 0);
    CHECK(S_ISCHR(st.st_mode));
    CHECK(st.st_rdev == 0);
    CHECK(owner(lower + "/etc/hostname") == "0:0");  // the lower layer is untouched
}

TEST_CASE("userns remap: a rootfs inside an overlay but not its root is left un-remapped with a finding") {
    require_root();
    SubidEntry sub(300000);
    Bundle b;
    UsePolicy pol(remap_policy(b));
    std::string l = b.dir + "/l", m = b.dir + "/m";
    REQUIRE(run({"mkdir", "-p", l, m, b.dir + "/u", b.dir + "/w"}).code == 0);
    REQUIRE(run({"mv", b.dir + "/rootfs", l + "/rootfs"}).code == 0);
    REQUIRE(
        run({"mount", "-t", "overlay", "overlay", "-o", "lowerdir=" + l + ",upperdir=" + b.dir + "/u,workdir=" + b.dir + "/w", m})
            .code == 0);
    Unmount um{m};
    b.config["root"]["path"] = m + "/rootfs";
    b.sh("cat /proc/self/uid_map; sleep 5");
    REQUIRE(b.run({"--detach"}).code == 0);
    json f = finding(findings_of(b.id), "userns");
    CHECK(f["action"] == "info");
    CHECK_THAT(f["reason"].get<std::string>(),
               Catch::Contains("is a directory inside an overlay, not an overlay's mount point: the kernel refuses "
                               "MOUNT_ATTR_IDMAP on overlayfs (EINVAL)"));
    Result e = docklock({"exec", b.id, "cat", "/proc/self/uid_map"});
    CHECK(e.out == "         0          0 4294967295\n");
    docklock({"delete", "--force", b.id});
}

TEST_CASE("userns remap: Docker's overlay2 layout with relative layer paths is rebuilt too") {
    require_root();
    SubidEntry sub(300000);
    Bundle b;
    UsePolicy pol(remap_policy(b));
    // As dockerd mounts when the layer list is long: from overlay2/, lowerdir=l/<short>, relative upper and work.
    std::string o2 = b.dir + "/overlay2";
    REQUIRE(run({"mkdir", "-p", o2 + "/l", o2 + "/img", o2 + "/cid/diff", o2 + "/cid/work", o2 + "/cid/merged"}).code == 0);
    REQUIRE(run({"mv", b.dir + "/rootfs", o2 + "/img/diff"}).code == 0);
    REQUIRE(run({"ln", "-s", "../img/diff", o2 + "/l/SHORT"}).code == 0);
    REQUIRE(run({"sh", "-c",
                 "cd " + o2 + " && mount -t overlay overlay -o lowerdir=l/SHORT,upperdir=cid/diff,workdir=cid/work cid/merged"})
                .code == 0);
    Unmount um{o2 + "/cid/merged"};
    b.config["root"]["path"] = o2 + "/cid/merged";
    b.sh("cat /proc/self/uid_map; stat -c %u:%g /etc/passwd; echo hi > /root-file");
    Result r = b.run();
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(r.out == "         0     300000      65536\n0:0\n");
    CHECK(owner(o2 + "/cid/diff/root-file") == "0:0");
    CHECK(exists(o2 + "/cid/docklock-work"));  // its own workdir beside the engine's
}

TEST_CASE("userns reject requires a user namespace: refused without one and run with one") {
    require_root();
    Bundle b;
    std::string path = b.dir + "/require.yaml";
    std::ofstream(path) << "controls:\n  userns: reject\n";
    UsePolicy pol(path);
    b.args({"true"});
    Result r = b.run();
    CHECK(r.code != 0);
    CHECK_THAT(r.err, Catch::Contains("refused by control \"userns\": linux.namespaces has no user namespace"));
    with_userns(b);
    b.sh("cat /proc/self/uid_map");
    r = b.run();
    INFO(r.err);
    CHECK(r.code == 0);
    CHECK(r.out == "         0     100000      65536\n");
}
