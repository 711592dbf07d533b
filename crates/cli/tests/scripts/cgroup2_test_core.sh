# The deterministic checks of the kernel's tools/testing/selftests/cgroup/test_core.c (v6.6),
# rewritten as shell functions on the 6.6 preset; each prints a kselftest result line.
# The selftest's pthreads are the threads of cgsim's `threads` program (the shell itself has
# one thread). Not ported: test_cgcore_lesser_euid_open and
# test_cgcore_lesser_ns_open (they need seteuid and cgroup namespaces), and the
# clone3(CLONE_INTO_CGROUP) halves of test_cgcore_invalid_domain and test_cgcore_proc_migration.
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
root=/sys/fs/cgroup
# main(): the memory controller is enabled in the root first.
grep -q memory $root/cgroup.subtree_control || echo +memory > $root/cgroup.subtree_control
n=0
result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi
}
cg_enter_current() { echo $$ > "$1/cgroup.procs"; }
cg_read_lc() {
	lc=0
	while read -r line; do lc=$((lc + 1)); done < "$1"
}
# You can't add a pid to a domain parent if a controller is enabled.
test_cgcore_internal_process_constraint() {
	mkdir $root/cg_test_parent $root/cg_test_parent/cg_test_child || return 1
	echo +memory > $root/cg_test_parent/cgroup.subtree_control || return 1
	if cg_enter_current $root/cg_test_parent 2>/dev/null; then return 1; fi
	rmdir $root/cg_test_parent/cg_test_child $root/cg_test_parent
}
# You can't enable a controller on a child if it's not enabled on the parent.
test_cgcore_top_down_constraint_enable() {
	mkdir $root/cg_test_parent $root/cg_test_parent/cg_test_child || return 1
	if echo +memory > $root/cg_test_parent/cg_test_child/cgroup.subtree_control; then return 1; fi
	rmdir $root/cg_test_parent/cg_test_child $root/cg_test_parent
}
# You can't disable a controller on a parent if it's enabled in a child.
test_cgcore_top_down_constraint_disable() {
	mkdir $root/cg_test_parent $root/cg_test_parent/cg_test_child || return 1
	echo +memory > $root/cg_test_parent/cgroup.subtree_control || return 1
	echo +memory > $root/cg_test_parent/cg_test_child/cgroup.subtree_control || return 1
	if echo -memory > $root/cg_test_parent/cgroup.subtree_control; then return 1; fi
	rmdir $root/cg_test_parent/cg_test_child $root/cg_test_parent
}
# A(0) - B(0) - C(1), B - D(0): "populated" follows the one process in C, and flips back when
# it moves to the root.
test_cgcore_populated() {
	a=$root/cg_test_a b=$root/cg_test_a/cg_test_b
	mkdir $a $b $b/cg_test_c $b/cg_test_d || return 1
	cg_enter_current $b/cg_test_c || return 1
	head -n 1 $a/cgroup.events $b/cgroup.events $b/cg_test_c/cgroup.events $b/cg_test_d/cgroup.events
	[ "$(head -n 1 $a/cgroup.events)" = "populated 1" ] || return 1
	[ "$(head -n 1 $b/cg_test_d/cgroup.events)" = "populated 0" ] || return 1
	cg_enter_current $root || return 1
	for c in $a $b $b/cg_test_c $b/cg_test_d; do
		[ "$(head -n 1 $c/cgroup.events)" = "populated 0" ] || return 1
	done
	rmdir $b/cg_test_d $b/cg_test_c $b $a
}
# All threads of a process are migrated together: a process with 13 threads besides its main
# one moves by one write to cgroup.procs, and the destination's cgroup.threads has 14 lines.
test_cgcore_proc_migration() {
	mkdir $root/cg_src $root/cg_dst || return 1
	threads 13 &
	pid=$!
	echo $pid > $root/cg_src/cgroup.procs || return 1
	echo $pid > $root/cg_dst/cgroup.procs || return 1
	# cg_read_lc, read by the shell itself: a forked wc or a $(...) subshell would be in the
	# cgroup too.
	cg_read_lc $root/cg_dst/cgroup.threads
	echo "cg_dst/cgroup.threads: $lc lines"
	[ $lc = 14 ] || return 1
	cg_read_lc $root/cg_src/cgroup.threads
	[ $lc = 0 ] || return 1
	kill $pid
	wait $pid
	rmdir $root/cg_dst $root/cg_src
}
# One thread moves alone, 1000 times, between two threaded cgroups of one domain, and its
# /proc/PID/task/TID/cgroup follows; the main thread stays where it was.
test_cgcore_thread_migration() {
	dom=$root/cg_dom
	mkdir $dom $dom/cg_src $dom/cg_dst || return 1
	echo threaded > $dom/cg_src/cgroup.type || return 1
	echo threaded > $dom/cg_dst/cgroup.type || return 1
	threads 1 &
	pid=$!
	echo $pid > $dom/cg_src/cgroup.procs || return 1
	for f in /proc/$pid/task/*; do
		[ "${f##*/}" = $pid ] || tid=${f##*/}
	done
	i=0
	while [ $i -lt 1000 ]; do
		if [ $((i % 2)) = 0 ]; then g=cg_src; else g=cg_dst; fi
		echo $tid > $dom/$g/cgroup.threads || return 1
		read -r line < /proc/$pid/task/$tid/cgroup
		[ "$line" = "0::/cg_dom/$g" ] || return 1
		i=$((i + 1))
	done
	cat /proc/$pid/cgroup /proc/$pid/task/$tid/cgroup
	[ "$(cat /proc/$pid/cgroup)" = "0::/cg_dom/cg_src" ] || return 1
	kill $pid
	wait $pid
	rmdir $dom/cg_dst $dom/cg_src $dom
}
# Ten times: a child allocates and waits in the cgroup, the cgroup is killed (cg_killall writes
# cgroup.kill), cgroup.procs empties, the cgroup is removed, the child is reaped.
test_cgcore_destroy() {
	i=0
	while [ $i -lt 10 ]; do
		mkdir $root/cg_test || return 1
		memhold 1M 1000 > /dev/null &
		pid=$!
		echo $pid > $root/cg_test/cgroup.procs || return 1
		[ "$(cat $root/cg_test/cgroup.procs)" = "$pid" ] || return 1
		echo 1 > $root/cg_test/cgroup.kill || return 1
		[ -z "$(cat $root/cg_test/cgroup.procs)" ] || return 1
		rmdir $root/cg_test || return 1
		wait $pid
		i=$((i + 1))
	done
}
# A threaded cgroup's non-threaded child is an invalid domain: it takes no process
# (EOPNOTSUPP).
test_cgcore_invalid_domain() {
	gp=$root/cg_test_grandparent p=$root/cg_test_grandparent/cg_test_parent
	mkdir $gp $p $p/cg_test_child || return 1
	echo threaded > $p/cgroup.type || return 1
	[ "$(cat $p/cg_test_child/cgroup.type)" = "domain invalid" ] || return 1
	err=$(cg_enter_current $p/cg_test_child 2>&1) && return 1
	echo "$err"
	case $err in *"Operation not supported"*) ;; *) return 1 ;; esac
	cg_enter_current $root
	rmdir $p/cg_test_child $p $gp
}
# A domain whose child turns threaded becomes a thread root: "domain threaded".
test_cgcore_parent_becomes_threaded() {
	p=$root/cg_test_parent
	mkdir $p $p/cg_test_child || return 1
	echo threaded > $p/cg_test_child/cgroup.type || return 1
	[ "$(cat $p/cgroup.type)" = "domain threaded" ] || return 1
	rmdir $p/cg_test_child $p
}
# Threaded cgroups with a threaded controller enabled still take processes: the
# no-internal-process rule is for domain controllers.
test_cgcore_no_internal_process_constraint_on_threads() {
	grep -q cpu $root/cgroup.controllers || return 4
	echo +cpu > $root/cgroup.subtree_control || return 4
	p=$root/cg_test_parent
	mkdir $p $p/cg_test_child || return 1
	echo threaded > $p/cgroup.type || return 1
	echo threaded > $p/cg_test_child/cgroup.type || return 1
	echo +cpu > $p/cgroup.subtree_control || return 1
	cg_enter_current $p || return 1
	cg_enter_current $root
	rmdir $p/cg_test_child $p
}
for t in test_cgcore_internal_process_constraint test_cgcore_top_down_constraint_enable \
	test_cgcore_top_down_constraint_disable test_cgcore_no_internal_process_constraint_on_threads \
	test_cgcore_parent_becomes_threaded test_cgcore_invalid_domain test_cgcore_populated \
	test_cgcore_proc_migration test_cgcore_thread_migration test_cgcore_destroy; do
	$t
	result $? $t
done
echo threaded > $root/cgroup.type
mkdir $root/t
echo threaded > $root/t/cgroup.type
cat $root/t/cgroup.type
rmdir $root/t
cat $root/cgroup.stat
