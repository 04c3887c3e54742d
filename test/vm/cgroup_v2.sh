# Inside hack/vm: assert what the kernel shows for containers on cgroup v2.
work=$1
rootfs=$2
. "$(dirname "$0")/lib.sh"
prep() { cp -a "$rootfs" "$work/$1/rootfs"; }
cg=/sys/fs/cgroup/docklock-vm

prep limits
docklock run -d --bundle "$work/limits" limits
check "limits: memory.max" "$(cat $cg/limits/memory.max)" 67108864
check "limits: memory.low" "$(cat $cg/limits/memory.low)" 33554432
check "limits: memory.swap.max is swap minus limit" "$(cat $cg/limits/memory.swap.max)" 33554432
check "limits: pids.max" "$(cat $cg/limits/pids.max)" 50
check "limits: cpu.weight from shares 1024" "$(cat $cg/limits/cpu.weight)" 100
check "limits: cpu.max" "$(cat $cg/limits/cpu.max)" "50000 100000"
check "limits: cpuset.cpus" "$(cat $cg/limits/cpuset.cpus)" 0
check "limits: unified memory.high" "$(cat $cg/limits/memory.high)" 59998208
pid=$(docklock state limits | grep '"pid"' | tr -dc 0-9)
check "limits: init is in the cgroup" "$(cat /proc/$pid/cgroup)" "0::/docklock-vm/limits"
docklock update --memory 128m --pids-limit 20 limits
check "update: memory.max" "$(cat $cg/limits/memory.max)" 134217728
check "update: pids.max" "$(cat $cg/limits/pids.max)" 20
stats=$(docklock events --stats limits)
case "$stats" in *'"pids":{"current":1,"limit":20}'*) check "events --stats: pids" ok ok ;; *) check "events --stats: pids" "$stats" '"pids":{"current":1,"limit":20}' ;; esac
docklock delete --force limits
check "delete: cgroup removed" "$(test -e $cg/limits && echo present || echo gone)" gone

prep more
docklock run -d --bundle "$work/more" more
check "more: cpu.max.burst" "$(cat $cg/more/cpu.max.burst)" 20000
check "more: cpu.idle" "$(cat $cg/more/cpu.idle)" 0
check "more: io weight" "$(cat $cg/more/io.bfq.weight 2>/dev/null || cat $cg/more/io.weight)" "default 200"
check "more: hugetlb.2MB.max" "$(cat $cg/more/hugetlb.2MB.max)" 4194304
docklock delete --force more

prep oom
docklock run -d --bundle "$work/oom" oom
events=$(timeout 8 docklock events --interval 200ms oom)
case "$events" in *'"type":"oom"'*) check "oom: events reports the kill" ok ok ;; *) check "oom: events reports the kill" "$events" oom ;; esac
# At least one kill: the kernel may kill both head and tail (seen once: oom_kill 2).
kills=$(grep '^oom_kill ' $cg/oom/memory.events | cut -d' ' -f2)
check "oom: memory.events counts the kill" "$([ "${kills:-0}" -ge 1 ] && echo counted || echo "oom_kill '$kills'")" counted
docklock delete --force oom

prep forkbomb
out=$(docklock run --bundle "$work/forkbomb" forkbomb 2>&1)
set -- $out
check "pids.max stops a fork bomb: at most 10 tasks" "$([ "${1:-99}" -le 10 ] && echo yes || echo "no ($out)")" yes
check "pids.max stops a fork bomb: pids.events counts refusals" "$([ "${3:-0}" -gt 0 ] && echo yes || echo "no ($out)")" yes

prep pause
docklock run -d --bundle "$work/pause" pause
docklock pause pause
check "pause: cgroup.freeze" "$(cat $cg/pause/cgroup.freeze)" 1
check "pause: cgroup.events frozen" "$(grep frozen $cg/pause/cgroup.events)" "frozen 1"
check "pause: status" "$(docklock state pause | grep status | tr -d ' ",' | cut -d: -f2)" paused
frozen=0
for p in $(cat $cg/pause/cgroup.procs); do grep -q 'State:.*(stopped)\|State:.*S (sleeping)' /proc/$p/status && frozen=$((frozen + 1)); done
check "pause: every process stopped in the freezer" "$frozen" "$(wc -l < $cg/pause/cgroup.procs)"
docklock resume pause
check "resume: cgroup.freeze" "$(cat $cg/pause/cgroup.freeze)" 0
docklock delete --force pause

prep cgns
out=$(docklock run --bundle "$work/cgns" cgns)
check "cgroup namespace: rooted at the container's cgroup" "$out" "0::/
33"

prep relative
docklock run -d --bundle "$work/relative" relative
check "relative cgroupsPath under the runtime's own cgroup" "$(cat /sys/fs/cgroup/relative/child/pids.max)" 12
check "relative: parent has the controllers enabled" "$(grep -c pids /sys/fs/cgroup/relative/cgroup.subtree_control)" 1
docklock delete --force relative
check "relative: removed" "$(test -e /sys/fs/cgroup/relative/child && echo present || echo gone)" gone

prep devices
docklock run -d --bundle "$work/devices" devices
writekmsg='(exec 3>/dev/kmsg) 2>/dev/null && echo open || echo denied'
check "devices: a device outside the rules cannot be opened" "$(docklock exec devices sh -c "$writekmsg")" denied
check "devices: the default devices still work" "$(docklock exec devices sh -c 'head -c 4 /dev/urandom | wc -c')" 4
echo '{"devices":[{"allow":false,"access":"rwm"},{"allow":true,"type":"c","major":1,"minor":11,"access":"w"}]}' | docklock update --resources - devices
# update takes no device rules (as runc's update): they bypassed the policy's devices control, and an
# allow-all there made the cgroup allow-all. The program stays the one create loaded.
check "devices: update leaves the device program as created (still denied)" "$(docklock exec devices sh -c "$writekmsg")" denied
check "devices: the default devices still work after update" "$(docklock exec devices sh -c 'head -c 4 /dev/urandom | wc -c')" 4
docklock delete --force devices

finish "cgroup v2"
