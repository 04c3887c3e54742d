#include <catch2/catch.hpp>
#include <cstdlib>
#include <iostream>

#include "libcontainer/spec/spec.hpp"
#include "libcontainer/util/error.hpp"
#include "libcontainer/util/fs.hpp"

using namespace docklock;

static std::string error_of(const std::string& text) {
    try {
        spec::Spec s = spec::parse_spec(text);
        spec::validate(s);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

TEST_CASE("every Docker fixture parses and validates") {
    if (!fs::exists(FIXTURES_DIR)) {
        std::cout << "SKIP: the Docker fixtures are not at " FIXTURES_DIR " (shared/ beside the checkout)\n";
        std::exit(77);
    }
    for (const char* f : {"default", "privileged", "capadd-all", "docker-sock", "host-ns", "seccomp-unconfined", "limits",
                          "hostroot", "bridge-network"}) {
        INFO(f);
        std::string text = fs::read_file(std::string(FIXTURES_DIR) + "/" + f + ".json");
        spec::Spec s = spec::parse_spec(text);
        REQUIRE_NOTHROW(spec::validate(s));
        REQUIRE(s.process);
        REQUIRE(s.linux);
        // round trip: serialize and parse again gives the same JSON
        auto j = spec::to_json(s);
        REQUIRE(spec::to_json(spec::parse_spec(j.dump())) == j);
    }
}

TEST_CASE("malformed and wrong-typed config.json name the field") {
    CHECK_THAT(error_of("{"), Catch::Contains("malformed JSON"));
    CHECK_THAT(error_of("[]"), Catch::Contains("expected an object"));
    CHECK_THAT(error_of(R"({"root":{"path":"r"}})"), Catch::Contains("ociVersion: required"));
    CHECK_THAT(error_of(R"({"ociVersion":"1.0.2","root":{"path":"r"},"process":{"args":["sh"],"user":{"uid":"0"}},"linux":{}})"),
               Catch::Contains("process.user.uid: expected an unsigned integer, got string"));
    CHECK_THAT(error_of(R"({"ociVersion":"1.0.2","root":{"path":"r"},"process":{"args":["sh"],"user":{"uid":-1}},"linux":{}})"),
               Catch::Contains("process.user.uid"));
    CHECK_THAT(error_of(R"({"ociVersion":"1.0.2","root":{"path":"r"},"process":{"args":"sh"},"linux":{}})"),
               Catch::Contains("process.args: expected an array"));
    CHECK_THAT(
        error_of(
            R"({"ociVersion":"1.0.2","root":{"path":"r"},"process":{"args":["sh"]},"linux":{"namespaces":[{"type":"bogus"}]}})"),
        Catch::Contains("linux.namespaces[0].type: unknown namespace type \"bogus\""));
    CHECK_THAT(
        error_of(
            R"({"ociVersion":"1.0.2","root":{"path":"r"},"process":{"args":["sh"]},"mounts":[{"destination":"/x","options":[1]}],"linux":{}})"),
        Catch::Contains("mounts[0].options[0]: expected a string"));
    CHECK_THAT(
        error_of(
            R"({"ociVersion":"1.0.2","root":{"path":"r"},"process":{"args":["sh"]},"linux":{"resources":{"memory":{"limit":"big"}}}})"),
        Catch::Contains("linux.resources.memory.limit: expected an integer"));
    CHECK_THAT(error_of(R"({"ociVersion":"1.0.2","process":{"args":["sh"]},"linux":{}})"),
               Catch::Contains("root.path: required"));
    CHECK_THAT(error_of(R"({"ociVersion":"1.0.2","root":{"path":"r"},"process":{"args":["sh"]},"linux":{},"hostname":5})"),
               Catch::Contains("hostname: expected a string"));
}
