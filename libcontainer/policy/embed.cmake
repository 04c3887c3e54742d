# cmake -DIN=file -DOUT=file.cpp -DNS=namespace -DSYMBOL=name -P embed.cmake: a shipped profile as a
# C++ raw string (extern const char NS::SYMBOL[]), so the binary carries the same text the package does.
file(READ "${IN}" content)
file(WRITE "${OUT}" "// Generated from ${IN} by libcontainer/policy/embed.cmake: do not edit.\n"
  "namespace ${NS} {\n"
  "extern const char ${SYMBOL}[] = R\"docklock_embed(${content})docklock_embed\";\n"
  "}\n")
