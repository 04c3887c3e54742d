# Inside hack/vm: AppArmor profiles take effect at the container's execve.
work=$1
rootfs=$2
. "$(dirname "$0")/lib.sh"
prep() { cp -a "$rootfs" "$work/$1/rootfs"; echo top-secret > "$work/$1/rootfs/etc/secret"; }
check "apparmor is enabled" "$(cat /sys/module/apparmor/parameters/enabled)" Y
apparmor_parser -r "$work/profile" 2>&1 || echo "apparmor_parser failed"
check "profile loaded" "$(grep -c '^docklock-test-deny ' /sys/kernel/security/apparmor/profiles)" 1

prep confined
out=$(docklock run --bundle "$work/confined" confined 2>&1)
check "confined: the process runs under the profile" "$(echo "$out" | sed -n 1p)" "docklock-test-deny (enforce)"
check "confined: a denied path is unreadable" "$(echo "$out" | sed -n 2p)" "cat: can't open '/etc/secret': Permission denied"
check "confined: everything else works" "$(echo "$out" | sed -n 3p)" other-files-ok

prep missing
out=$(docklock run --bundle "$work/missing" missing 2>&1)
case "$out" in
  *'process.apparmorProfile: AppArmor profile "docklock-no-such-profile" is not loaded'*) check "missing profile: clear error" ok ok ;;
  *) check "missing profile: clear error" "$out" "process.apparmorProfile: ... is not loaded" ;;
esac
check "missing profile: nothing left" "$(docklock list -q | grep -c missing)" 0

prep plain
docklock run -d --bundle "$work/plain" plain
check "exec --apparmor confines the exec'd process" "$(docklock exec --apparmor docklock-test-deny plain cat /proc/self/attr/current)" "docklock-test-deny (enforce)"
check "exec --apparmor: denied path" "$(docklock exec --apparmor docklock-test-deny plain cat /etc/secret 2>&1)" "cat: can't open '/etc/secret': Permission denied"
check "exec without --apparmor is unconfined here" "$(docklock exec plain cat /etc/secret)" top-secret
docklock delete --force plain

# The baseline: a container that asked for no profile gets docklock-default, which docklock loads
# itself on first use, and which still lets the runtime (unconfined) signal the container.
check "docklock-default is not loaded yet" "$(grep -c '^docklock-default ' /sys/kernel/security/apparmor/profiles)" 0
prep baseline
DOCKLOCK_POLICY=builtin docklock run -d --bundle "$work/baseline" baseline 2>/dev/null
check "baseline: docklock loaded docklock-default" "$(grep -c '^docklock-default (enforce)' /sys/kernel/security/apparmor/profiles)" 1
pid=$(docklock state baseline | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
check "baseline: the container runs under docklock-default" "$(cat /proc/$pid/attr/current)" "docklock-default (enforce)"
check "baseline: exec gets docklock-default too" "$(DOCKLOCK_POLICY=builtin docklock exec baseline cat /proc/self/attr/current 2>/dev/null)" "docklock-default (enforce)"
docklock kill baseline KILL
for i in 1 2 3 4 5 6 7 8 9 10; do docklock state baseline | grep -q '"stopped"' && break; sleep 0.2; done
check "baseline: the runtime's signal reaches the confined container" "$(docklock state baseline | grep -c '"stopped"')" 1
docklock delete --force baseline

finish "apparmor"
