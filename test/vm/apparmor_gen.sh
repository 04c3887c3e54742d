# Inside hack/vm: the generated profile, loaded by `docklock profile apparmor --load`, confines the
# workload from its execve on.
work=$1
rootfs=$2
. "$(dirname "$0")/lib.sh"
prep() {
  cp -a "$rootfs" "$work/$1/rootfs"
  mkdir -p "$work/$1/rootfs/srv/ro" "$work/$1/rootfs/srv/rw" "$work/$1/rootfs/var/log"
  cp "$work/$1/rootfs/bin/busybox" "$work/$1/rootfs/usr/bin/forbidden"
}
check "apparmor is enabled" "$(cat /sys/module/apparmor/parameters/enabled)" Y
out=$(docklock profile apparmor --load "$work/desc.yaml" 2>&1)
check "profile apparmor --load" "$out" "loaded AppArmor profile docklock-gen-test"
check "profile loaded in enforce mode" "$(grep -c '^docklock-gen-test (enforce)' /sys/kernel/security/apparmor/profiles)" 1

prep workload
out=$(docklock run --bundle "$work/workload" workload 2>&1)
echo "$out" | sed 's/^/  | /'
line() { echo "$out" | sed -n "$1p"; }
check "the workload runs under the generated profile" "$(line 1)" "docklock-gen-test (enforce)"
check "writable path: /tmp" "$(line 2)" hi
check "read-only by default: /etc" "$(line 3)" "sh: can't create /etc/evil: Permission denied"
check "outside the writable paths: /root" "$(line 4)" "sh: can't create /root/evil: Permission denied"
check "read_only wins over writable: /srv/ro" "$(line 5)" "sh: can't create /srv/ro/x: Permission denied"
check "writable path: /srv/rw" "$(line 6)" srv-rw-ok
check "log-on-write path is writable" "$(line 7)" log-ok
check "denied executable" "$(line 8)" "sh: /usr/bin/forbidden: Permission denied"
check "allowed executable (busybox applets)" "$(line 9)" exec-ok
check "a capability not listed (chown) is denied" "$(line 10)" "chown: /tmp/t: Operation not permitted"
check "reads are allowed" "$(line 11)" docklock
check "the write outside was not made" "$(ls "$work/workload/rootfs/root" | grep -c evil)" 0

prep sleeper
docklock run -d --bundle "$work/sleeper" sleeper
pid=$(docklock state sleeper | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
check "sleeper runs confined" "$(cat /proc/$pid/attr/current)" "docklock-gen-test (enforce)"
docklock kill sleeper KILL
for i in 1 2 3 4 5 6 7 8 9 10; do docklock state sleeper | grep -q '"stopped"' && break; sleep 0.2; done
check "the runtime's signal reaches the confined container" "$(docklock state sleeper | grep -c '"stopped"')" 1
docklock delete --force sleeper

finish "apparmor_gen"
