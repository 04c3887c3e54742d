# Shared by the test/vm/*.sh scripts that run inside hack/vm: TAP-like checks and the closing count.
# The checks are of runc-compatible behaviour, so docklock runs with `--policy off` unless a check
# asks for the baseline (DOCKLOCK_POLICY=builtin docklock ...), as in the host's integration tests.
export DOCKLOCK_POLICY=${DOCKLOCK_POLICY:-off}
pass=0
fail=0
check() {
  if [ "$2" = "$3" ]; then echo "ok - $1"; pass=$((pass + 1)); else echo "not ok - $1: got '$2', want '$3'"; fail=$((fail + 1)); fi
}
finish() {
  echo "$1: $pass passed, $fail failed"
  [ "$fail" = 0 ]
}
