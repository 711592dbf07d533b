# The deterministic checks of the kernel's tools/testing/selftests/cgroup/test_kill.c (v6.6),
# rewritten as shell functions on the 6.6 preset; each prints a kselftest result line.
# cg_run_nowait's child is a `sleep` moved into the cgroup; cg_kill_wait writes 1 to
# cgroup.kill and then looks for "populated 0" in cgroup.events (cgsim delivers the SIGKILLs at
# once). Not ported: test_cgkill_forkbomb (a process that forks until killed).
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
root=/sys/fs/cgroup
n=0
result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi
}
cg_run_nowait() { sleep 1000 & pids="$pids $!"; echo $! > "$1/cgroup.procs"; }
cg_wait_for_proc_count() {
	lc=0
	while read -r line; do lc=$((lc + 1)); done < "$1/cgroup.procs"
	[ $lc = "$2" ]
}
# cg_read_strcmp(cgroup, "cgroup.events", "populated N\n"): the first line.
cg_populated() { [ "$(head -n 1 "$1/cgroup.events")" = "populated $2" ]; }
cg_kill_wait() { echo 1 > "$1/cgroup.kill" && cg_populated "$1" 0; }
# 100 processes in one cgroup, killed through cgroup.kill.
test_cgkill_simple() {
	cg=$root/cg_test_simple
	mkdir $cg || return 1
	i=0
	while [ $i -lt 100 ]; do cg_run_nowait $cg; i=$((i + 1)); done
	cg_wait_for_proc_count $cg 100 || return 1
	cg_populated $cg 1 || return 1
	ret=0
	cg_kill_wait $cg || ret=1
	# wait_for_pid of each child: every one was killed by SIGKILL.
	nr=0
	for pid in $pids; do
		wait $pid
		[ $? = 137 ] && nr=$((nr + 1))
	done
	echo "killed by SIGKILL: $nr"
	[ $ret = 0 ] && [ $nr = 100 ] && cg_populated $cg 0 || return 1
	rmdir $cg
}
#        A
#     / / \ \
#    B  E  I K
#   /\  |
#  C  D F
#       |
#       G
#       |
#       H
# with a process in C, one in H and three in K; killing A kills all five.
test_cgkill_tree() {
	A=$root/cg_test_tree_A B=$A/B C=$A/B/C D=$A/B/D E=$A/E F=$A/E/F G=$A/E/F/G H=$A/E/F/G/H
	I=$A/I K=$A/K
	mkdir $A $B $C $D $E $F $G $H $I $K || return 1
	cg_run_nowait $C; cg_run_nowait $H
	cg_run_nowait $K; cg_run_nowait $K; cg_run_nowait $K
	cg_wait_for_proc_count $C 1 && cg_wait_for_proc_count $H 1 && cg_wait_for_proc_count $K 3 ||
		return 1
	cg_populated $A 1 || return 1
	ret=0
	cg_kill_wait $A || ret=1
	nr=0
	for pid in $pids; do
		wait $pid
		[ $? = 137 ] && nr=$((nr + 1))
	done
	echo "killed by SIGKILL: $nr"
	[ $ret = 0 ] && [ $nr = 5 ] && cg_populated $A 0 || return 1
	for c in $C $H $K; do cg_populated $c 0 || return 1; done
	rmdir $H $G $F $E $D $C $B $I $K $A
}
for t in test_cgkill_simple test_cgkill_tree; do
	pids=
	$t
	result $? $t
done
cat $root/cgroup.stat
