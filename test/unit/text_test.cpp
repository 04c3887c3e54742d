// util/text.hpp: the splitting that replaced iostreams on the create path.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "libcontainer/util/text.hpp"

using namespace docklock;
using V = std::vector<std::string_view>;

TEST_CASE("text: split keeps empty fields and lines drop only the final newline") {
    CHECK(text::split("a,b,,c", ',') == V{"a", "b", "", "c"});
    CHECK(text::split("", ',').empty());
    CHECK(text::split(",", ',') == V{"", ""});
    CHECK(text::lines("x\ny\n") == V{"x", "y"});
    CHECK(text::lines("x\n\ny") == V{"x", "", "y"});
    CHECK(text::lines("").empty());
}

TEST_CASE("text: fields split on runs of whitespace as operator>> would") {
    CHECK(text::fields("  cpu  io\tmemory\n") == V{"cpu", "io", "memory"});
    CHECK(text::fields(" \n\t ").empty());
    CHECK(text::fields("36 35 98:0 / /mnt rw") == V{"36", "35", "98:0", "/", "/mnt", "rw"});
}
