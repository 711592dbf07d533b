# The deterministic checks of the kernel's tools/testing/selftests/cgroup/test_freezer.c
# (v6.6), rewritten as shell functions on the 6.6 preset; each prints a kselftest result line.
# cg_run_nowait's child (a process that sleeps until its parent goes) is a `sleep` moved into
# the cgroup; cg_check_frozen is a look at cgroup.events (cgsim's freezer acts at once, so
# cg_freeze_wait needs no wait); cg_destroy kills what is left (cgroup.kill) and removes the
# cgroup. Not ported: test_cgfreezer_forkbomb (a process that forks until killed),
# test_cgfreezer_ptrace and test_cgfreezer_ptraced (ptrace), test_cgfreezer_stopped
# (SIGSTOP/SIGCONT do nothing here), test_cgfreezer_vfork (vfork).
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
root=/sys/fs/cgroup
n=0
result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi
}
cg_run_nowait() { sleep 1000 & echo $! > "$1/cgroup.procs"; }
# cg_wait_for_proc_count: the number of lines of cgroup.procs, read by the shell itself.
cg_wait_for_proc_count() {
	lc=0
	while read -r line; do lc=$((lc + 1)); done < "$1/cgroup.procs"
	[ $lc = "$2" ]
}
cg_check_frozen() { grep -qx "frozen $2" "$1/cgroup.events"; }
cg_freeze_nowait() { echo "$2" > "$1/cgroup.freeze"; }
cg_freeze_wait() { cg_freeze_nowait "$1" "$2" && cg_check_frozen "$1" "$2"; }
cg_enter_and_wait_for_frozen() { echo "$2" > "$1/cgroup.procs" && cg_check_frozen "$1" "$3"; }
cg_destroy() {
	for c in "$@"; do echo 1 > "$c/cgroup.kill" 2>/dev/null; done
	wait
	rmdir "$@"
}
# 100 processes in one cgroup: freeze, then thaw.
test_cgfreezer_simple() {
	cg=$root/cg_test_simple
	mkdir $cg || return 1
	i=0
	while [ $i -lt 100 ]; do cg_run_nowait $cg; i=$((i + 1)); done
	cg_wait_for_proc_count $cg 100 || return 1
	cg_check_frozen $cg 0 || return 1
	cg_freeze_wait $cg 1 || return 1
	cg_freeze_wait $cg 0 || return 1
	cg_destroy $cg
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
# with a process in C, one in H and three in K; freeze and thaw parts of the tree.
test_cgfreezer_tree() {
	A=$root/cg_test_tree_A B=$A/B C=$A/B/C D=$A/B/D E=$A/E F=$A/E/F G=$A/E/F/G H=$A/E/F/G/H
	I=$A/I K=$A/K
	mkdir $A $B $C $D $E $F $G $H $I $K || return 1
	cg_run_nowait $C; cg_run_nowait $H
	cg_run_nowait $K; cg_run_nowait $K; cg_run_nowait $K
	cg_wait_for_proc_count $C 1 && cg_wait_for_proc_count $H 1 && cg_wait_for_proc_count $K 3 ||
		return 1
	# Freeze B, then F (twice), then A: A, B and E are frozen.
	cg_freeze_wait $B 1 || return 1
	cg_freeze_wait $F 1 || return 1
	cg_freeze_wait $F 1 || return 1
	cg_freeze_wait $A 1 || return 1
	cg_check_frozen $B 1 || return 1
	cg_check_frozen $E 1 || return 1
	# Thaw B, F and G: C and H stay frozen under A.
	cg_freeze_nowait $B 0 || return 1
	cg_freeze_nowait $F 0 || return 1
	cg_freeze_nowait $G 0 || return 1
	cg_check_frozen $C 1 || return 1
	cg_check_frozen $H 1 || return 1
	# Thaw A: A, C and K run again.
	cg_freeze_wait $A 0 || return 1
	cg_check_frozen $C 0 || return 1
	cg_check_frozen $K 0 || return 1
	cg_destroy $H $G $F $E $D $C $B $I $K $A
}
# A cgroup made in a frozen parent is frozen, and so is a process started there.
test_cgfreezer_mkdir() {
	parent=$root/cg_test_mkdir_A child=$root/cg_test_mkdir_A/cg_test_mkdir_B
	mkdir $parent || return 1
	cg_freeze_wait $parent 1 || return 1
	mkdir $child || return 1
	cg_run_nowait $child
	cg_wait_for_proc_count $child 1 || return 1
	cg_check_frozen $child 1 || return 1
	cg_check_frozen $parent 1 || return 1
	cg_destroy $child $parent
}
# A frozen parent stays frozen when its child is removed, and a new child is frozen too.
test_cgfreezer_rmdir() {
	parent=$root/cg_test_rmdir_A child=$root/cg_test_rmdir_A/cg_test_rmdir_B
	mkdir $parent $child || return 1
	cg_freeze_wait $parent 1 || return 1
	cg_destroy $child || return 1
	cg_check_frozen $parent 1 || return 1
	mkdir $child || return 1
	cg_check_frozen $child 1 || return 1
	cg_destroy $child $parent
}
# A process moves A (running) -> B (frozen), B -> A, then A (frozen) -> B (frozen); each
# cgroup's state follows.
test_cgfreezer_migrate() {
	A=$root/cg_test_migrate_A B=$root/cg_test_migrate_B
	mkdir $A $B || return 1
	cg_run_nowait $A
	pid=$!
	cg_wait_for_proc_count $A 1 || return 1
	cg_freeze_wait $B 1 || return 1
	cg_enter_and_wait_for_frozen $B $pid 1 || return 1
	cg_check_frozen $A 0 || return 1
	cg_enter_and_wait_for_frozen $A $pid 0 || return 1
	cg_check_frozen $B 1 || return 1
	cg_freeze_wait $A 1 || return 1
	cg_enter_and_wait_for_frozen $B $pid 1 || return 1
	cg_check_frozen $A 1 || return 1
	cg_destroy $A $B
}
for t in test_cgfreezer_simple test_cgfreezer_tree test_cgfreezer_mkdir test_cgfreezer_rmdir \
	test_cgfreezer_migrate; do
	$t
	result $? $t
done
cat $root/cgroup.stat
