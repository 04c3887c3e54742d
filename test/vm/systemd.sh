# Inside hack/vm --systemd (systemd is PID 1): the systemd cgroup driver, asserted in the cgroup
# files and in what systemd itself says about the unit.
work=$1
rootfs=$2
. "$(dirname "$0")/lib.sh"
prep() { cp -a "$rootfs" "$work/$1/rootfs"; }
show() { systemctl show -p "$2" --value "$1"; }
gone() { test -e "$1" && echo present || echo gone; }
check "systemd is PID 1" "$(cat /proc/1/comm)" systemd

prep scope
unit=docklock-scope-test.scope
cg=/sys/fs/cgroup/system.slice/$unit
docklock --systemd-cgroup run -d --bundle "$work/scope" scope
check "scope: the unit is active" "$(show $unit ActiveState)" active
check "scope: Delegate=yes" "$(show $unit Delegate)" yes
check "scope: in system.slice" "$(show $unit Slice)" system.slice
pid=$(docklock state scope | grep '"pid"' | tr -dc 0-9)
check "scope: init is in the unit's cgroup" "$(cat /proc/$pid/cgroup)" "0::/system.slice/$unit"
check "scope: and only the init" "$(cat $cg/cgroup.procs)" "$pid"
check "scope: memory.max" "$(cat $cg/memory.max)" 67108864
check "scope: pids.max" "$(cat $cg/pids.max)" 50
check "scope: memory.low" "$(cat $cg/memory.low)" 33554432
check "scope: memory.swap.max is swap minus limit" "$(cat $cg/memory.swap.max)" 33554432
check "scope: unified memory.high" "$(cat $cg/memory.high)" 59998208
check "scope: io weight" "$(cat $cg/io.bfq.weight 2>/dev/null || cat $cg/io.weight)" "default 200"
check "scope: cpu.weight from shares 1024" "$(cat $cg/cpu.weight)" 100
check "scope: cpu.max" "$(cat $cg/cpu.max)" "50000 100000"
check "scope: cpuset.cpus" "$(cat $cg/cpuset.cpus)" 0
check "scope: systemd holds MemoryMax" "$(show $unit MemoryMax)" 67108864
check "scope: systemd holds TasksMax" "$(show $unit TasksMax)" 50
check "scope: systemd holds CPUQuotaPerSecUSec" "$(show $unit CPUQuotaPerSecUSec)" 500ms
writekmsg='(exec 3>/dev/kmsg) 2>/dev/null && echo open || echo denied'
check "scope: the device program refuses a device outside the rules" "$(docklock exec scope sh -c "$writekmsg")" denied
systemctl daemon-reload
check "daemon-reload: memory.max kept" "$(cat $cg/memory.max)" 67108864
check "daemon-reload: pids.max kept" "$(cat $cg/pids.max)" 50
check "daemon-reload: memory.low kept" "$(cat $cg/memory.low)" 33554432
check "daemon-reload: memory.swap.max kept" "$(cat $cg/memory.swap.max)" 33554432
check "daemon-reload: memory.high kept" "$(cat $cg/memory.high)" 59998208
check "daemon-reload: io weight kept" "$(cat $cg/io.bfq.weight 2>/dev/null || cat $cg/io.weight)" "default 200"
check "daemon-reload: cpu.weight kept" "$(cat $cg/cpu.weight)" 100
check "daemon-reload: cpu.max kept" "$(cat $cg/cpu.max)" "50000 100000"
check "daemon-reload: cpuset.cpus kept" "$(cat $cg/cpuset.cpus)" 0
check "daemon-reload: devices still refused" "$(docklock exec scope sh -c "$writekmsg")" denied
docklock update --memory 128m --pids-limit 20 scope
check "update: memory.max" "$(cat $cg/memory.max)" 134217728
check "update: pids.max" "$(cat $cg/pids.max)" 20
check "update: systemd's MemoryMax follows" "$(show $unit MemoryMax)" 134217728
systemctl daemon-reload
check "update then daemon-reload: memory.max kept" "$(cat $cg/memory.max)" 134217728
check "update then daemon-reload: pids.max kept" "$(cat $cg/pids.max)" 20
docklock pause scope
check "pause: cgroup.freeze" "$(cat $cg/cgroup.freeze)" 1
check "pause: status" "$(docklock state scope | grep status | tr -d ' ",' | cut -d: -f2)" paused
docklock resume scope
check "resume: cgroup.freeze" "$(cat $cg/cgroup.freeze)" 0
docklock exec -d scope sleep 60
check "exec: the new process joins the scope" "$(wc -l < $cg/cgroup.procs)" 2
check "ps: lists both" "$(docklock ps --format json scope | tr -cd , | wc -c)" 1
stats=$(docklock events --stats scope)
case "$stats" in *'"pids":{"current":2,"limit":20}'*) check "events --stats: pids" ok ok ;; *) check "events --stats: pids" "$stats" '"pids":{"current":2,"limit":20}' ;; esac
docklock kill --all scope KILL
for i in 1 2 3 4 5 6 7 8 9 10; do [ "$(docklock state scope | grep status | tr -d ' ",' | cut -d: -f2)" = stopped ] && break; sleep 0.2; done
check "kill --all: stopped" "$(docklock state scope | grep status | tr -d ' ",' | cut -d: -f2)" stopped
docklock delete scope
check "delete: the unit is gone" "$(show $unit LoadState)" not-found
check "delete: its cgroup is gone" "$(gone $cg)" gone

prep dflt
docklock --systemd-cgroup run -d --bundle "$work/dflt" dflt
check "empty cgroupsPath: system.slice/docklock-<id>.scope" "$(cat /sys/fs/cgroup/system.slice/docklock-dflt.scope/pids.max)" 33
check "empty cgroupsPath: active" "$(show docklock-dflt.scope ActiveState)" active
docklock delete --force dflt
check "delete --force: the unit is gone" "$(show docklock-dflt.scope LoadState)" not-found
check "delete --force: its cgroup is gone" "$(gone /sys/fs/cgroup/system.slice/docklock-dflt.scope)" gone

prep fg
check "foreground run: the container sees its scope's limit" "$(docklock --systemd-cgroup run --bundle "$work/fg" fg)" 21
check "foreground run: the unit is gone after" "$(show docklock-fg-test.scope LoadState)" not-found

prep slice
docklock --systemd-cgroup run -d --bundle "$work/slice" slice
check "own slice: the scope is in docklock.slice" "$(show dl-sl.scope Slice)" docklock.slice
check "own slice: /docklock.slice/dl-sl.scope" "$(cat /sys/fs/cgroup/docklock.slice/dl-sl.scope/pids.max)" 12
docklock delete --force slice
check "own slice: removed" "$(gone /sys/fs/cgroup/docklock.slice/dl-sl.scope)" gone

prep killed
docklock --systemd-cgroup create --bundle "$work/killed" killed &
dl=$!
for i in $(seq 100); do [ "$(show docklock-killed.scope ActiveState)" = active ] && break; sleep 0.1; done
check "killed create: the unit is active while the hook runs" "$(show docklock-killed.scope ActiveState)" active
kill -9 $dl
wait $dl
docklock delete killed
check "killed create: delete removes the unit" "$(show docklock-killed.scope LoadState)" not-found
check "killed create: and its cgroup" "$(gone /sys/fs/cgroup/system.slice/docklock-killed.scope)" gone
check "killed create: and the state" "$(docklock list -q | grep -c killed)" 0

finish "systemd cgroup driver"
