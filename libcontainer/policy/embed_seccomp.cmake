# cmake -DIN=profile.json -DOUT=file.cpp -P embed_seccomp.cmake: docklock's default seccomp profile as
# C++ that builds the spec::Seccomp directly (docklock::policy::embedded::docklock_default_seccomp()).
# Parsing the JSON at run time cost every create ~0.6 ms on our VM; the JSON file stays the one source
# (test/unit/policy_test.cpp checks the generated struct against it). An unknown key is a build error.
cmake_policy(SET CMP0057 NEW)  # if(IN_LIST)
file(READ "${IN}" j)

function(fail what)
  message(FATAL_ERROR "${IN}: ${what}")
endfunction()

# The keys of the object at the JSON path ARGN must be among `allowed`.
function(check_keys allowed)
  string(JSON n ERROR_VARIABLE err LENGTH "${j}" ${ARGN})
  if(err)
    fail("${err}")
  endif()
  if(n EQUAL 0)
    return()
  endif()
  math(EXPR last "${n} - 1")
  foreach(i RANGE ${last})
    string(JSON k MEMBER "${j}" ${ARGN} ${i})
    if(NOT k IN_LIST allowed)
      string(REPLACE ";" "." where "${ARGN}")
      fail("${where}: unknown key \"${k}\" (this generator knows ${allowed})")
    endif()
  endforeach()
endfunction()

# A C++ braced list of the strings in the JSON array at path ARGN ("{}" when absent).
function(string_list outvar)
  string(JSON n ERROR_VARIABLE err LENGTH "${j}" ${ARGN})
  set(out "")
  if(NOT err AND n GREATER 0)
    math(EXPR last "${n} - 1")
    foreach(i RANGE ${last})
      string(JSON s GET "${j}" ${ARGN} ${i})
      if(out)
        string(APPEND out ", ")
      endif()
      string(APPEND out "\"${s}\"")
    endforeach()
  endif()
  set(${outvar} "{${out}}" PARENT_SCOPE)
endfunction()

# The member at path ARGN or `fallback`.
function(get_or outvar fallback)
  string(JSON v ERROR_VARIABLE err GET "${j}" ${ARGN})
  if(err)
    set(v "${fallback}")
  endif()
  set(${outvar} "${v}" PARENT_SCOPE)
endfunction()

check_keys("defaultAction;defaultErrnoRet;architectures;flags;syscalls")
string(JSON default_action GET "${j}" defaultAction)
get_or(default_errno "std::nullopt" defaultErrnoRet)
string_list(arches architectures)
string_list(flags flags)

# Tables of literals and one loop that builds the struct: a function that constructed each string
# inline was ~30 KB of code, and on a VM every page of code or heap first touched costs a fault.
set(tables "")
set(rules "")
string(JSON nrules LENGTH "${j}" syscalls)
math(EXPR last_rule "${nrules} - 1")
foreach(r RANGE ${last_rule})
  check_keys("names;action;errnoRet;args" syscalls ${r})
  string_list(names syscalls ${r} names)
  string(JSON action GET "${j}" syscalls ${r} action)
  get_or(errno_ret "-1" syscalls ${r} errnoRet)
  set(args "")
  string(JSON nargs ERROR_VARIABLE no_args LENGTH "${j}" syscalls ${r} args)
  if(no_args)
    set(nargs 0)
  endif()
  if(nargs GREATER 0)
    math(EXPR last_arg "${nargs} - 1")
    foreach(a RANGE ${last_arg})
      check_keys("index;value;valueTwo;op" syscalls ${r} args ${a})
      string(JSON index GET "${j}" syscalls ${r} args ${a} index)
      get_or(value 0 syscalls ${r} args ${a} value)
      get_or(value_two 0 syscalls ${r} args ${a} valueTwo)
      string(JSON op GET "${j}" syscalls ${r} args ${a} op)
      string(APPEND args "{${index}, ${value}ULL, ${value_two}ULL, \"${op}\"}, ")
    endforeach()
    string(APPEND tables "const Arg args${r}[] = {${args}};\n")
    set(args_ref "args${r}")
  else()
    set(args_ref "nullptr")
  endif()
  string(APPEND tables "const char* const names${r}[] = ${names};\n")
  string(APPEND rules "    {names${r}, std::size(names${r}), \"${action}\", ${errno_ret}, ${args_ref}, ${nargs}},\n")
endforeach()

file(WRITE "${OUT}.tmp"
  "// Generated from ${IN} by libcontainer/policy/embed_seccomp.cmake: do not edit.\n"
  "#include <iterator>\n\n"
  "#include \"libcontainer/spec/spec.hpp\"\n\n"
  "namespace docklock::policy::embedded {\n"
  "namespace {\n\n"
  "struct Arg {\n    uint32_t index;\n    uint64_t value, value_two;\n    const char* op;\n};\n"
  "struct Rule {\n    const char* const* names;\n    size_t n_names;\n    const char* action;\n"
  "    int64_t errno_ret;  // -1: none\n    const Arg* args;\n    size_t n_args;\n};\n\n"
  "${tables}\n"
  "const Rule rules[] = {\n${rules}};\n\n"
  "}  // namespace\n\n"
  "spec::Seccomp docklock_default_seccomp() {\n"
  "    spec::Seccomp s;\n"
  "    s.defaultAction = \"${default_action}\";\n"
  "    s.defaultErrnoRet = ${default_errno};\n"
  "    s.architectures = ${arches};\n"
  "    s.flags = ${flags};\n"
  "    s.syscalls.reserve(std::size(rules));\n"
  "    for (const Rule& r : rules) {\n"
  "        spec::SyscallRule& out = s.syscalls.emplace_back();\n"
  "        out.names.assign(r.names, r.names + r.n_names);\n"
  "        out.action = r.action;\n"
  "        if (r.errno_ret >= 0) out.errnoRet = static_cast<uint32_t>(r.errno_ret);\n"
  "        for (size_t i = 0; i < r.n_args; ++i)\n"
  "            out.args.push_back({r.args[i].index, r.args[i].value, r.args[i].value_two, r.args[i].op});\n"
  "    }\n"
  "    return s;\n"
  "}\n\n"
  "}  // namespace docklock::policy::embedded\n")
file(RENAME "${OUT}.tmp" "${OUT}")
