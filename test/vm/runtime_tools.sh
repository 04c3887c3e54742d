# Inside hack/vm: runtime-tools validation tests, each a TAP stream; a check per test that it exited
# 0 with no "not ok". The suite runs docklock as runc would be run: --policy off.
work=$1
tests=$2
. "$(dirname "$0")/lib.sh"
apparmor_parser -r "$work/acme_secure_profile" 2>&1 || echo "apparmor_parser failed"
printf '#!/bin/sh\nexec docklock --policy off "$@"\n' >/tmp/docklock-off
chmod +x /tmp/docklock-off
cd "$work/suite" || exit 1
for t in $tests; do
  RUNTIME=/tmp/docklock-off "validation/$t/$t.t" >"/tmp/$t.tap" 2>&1
  rc=$?
  ok=$(grep -c '^ok' "/tmp/$t.tap")
  bad=$(grep -c '^not ok' "/tmp/$t.tap")
  grep '^not ok' "/tmp/$t.tap" | head -5
  [ $rc = 0 ] || tail -5 "/tmp/$t.tap"
  check "runtime-tools $t ($ok ok)" "exit $rc, $bad not ok" "exit 0, 0 not ok"
done
finish runtime_tools
