# cmake -DIN=profile.json -DOUT=file.cpp -P embed.cmake: the seccomp profile as a C++ raw string.
file(READ "${IN}" content)
file(WRITE "${OUT}" "// Generated from ${IN} by libcontainer/policy/embed.cmake: do not edit.\n"
  "namespace docklock::policy::embedded {\n"
  "extern const char docklock_default_seccomp_json[] = R\"docklock_json(${content})docklock_json\";\n"
  "}\n")
