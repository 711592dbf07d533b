# test_memcg_high_sync of tools/testing/selftests/cgroup/test_memcontrol.c (v6.6), on the
# default hierarchy (run with --kernel 6.6 by tests/it/cgroup2.rs): memory.high must throttle
# one large allocation inside a single kernel entry. A child mlocks 200M (every page faulted
# in by the one call) under memory.high 30M and memory.max 140M with no swap; the parent
# waits for the first IN_MODIFY of memory.events and then finds high events and no max
# event. In 6.6, try_charge_memcg calls mem_cgroup_handle_over_high itself once the task is
# more than MEMCG_CHARGE_BATCH (64) pages over, and the task sleeps its penalty in the middle
# of the mlock, long before it could reach memory.max.
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
echo +memory > cgroup.subtree_control
kresult() { if [ "$1" = 0 ]; then echo "ok $2"; else echo "not ok $2"; fi; }
event() { grep "^$2 " $1/memory.events | cut -d' ' -f2; }
test_memcg_high_sync() {
	mkdir memcg_test || return 1
	pre_high=$(event memcg_test high)
	pre_max=$(event memcg_test max)
	echo 0 > memcg_test/memory.swap.max || return 1
	echo 30M > memcg_test/memory.high || return 1
	echo 140M > memcg_test/memory.max || return 1
	# memcg_prepare_for_wait: an inotify watch for IN_MODIFY on memory.events.
	inotifywait -q -e modify memcg_test/memory.events &
	w=$!
	# cg_run_nowait(memcg, alloc_anon_mlock, MB(200)).
	sh -c 'echo $$ > memcg_test/cgroup.procs; memhold -l 200M' &
	# cg_wait_for: until the watch reports the first modification.
	wait $w
	post_high=$(event memcg_test high)
	post_max=$(event memcg_test max)
	echo "high $pre_high -> $post_high, max $pre_max -> $post_max"
	r=0
	[ "$pre_high" != "$post_high" ] && [ "$pre_max" = "$post_max" ] || r=1
	# cg_destroy: cg_killall, then rmdir.
	echo 1 > memcg_test/cgroup.kill
	wait
	rmdir memcg_test
	return $r
}
test_memcg_high_sync
kresult $? test_memcg_high_sync

# The same allocation watched from the parent: the child sleeps in state D inside its mlock
# (schedule_timeout_killable in a memory stall) while the shell runs; each time it wakes it
# charges about 128 more pages (two batches of 64) and sleeps again, longer as the overage
# grows (calculate_high_delay, at most 2 s), so memory.current creeps up past 30M, each
# synchronous mem_cgroup_handle_over_high adds high events (its reclaim retries), and max
# stays 0.
mkdir A
echo 0 > A/memory.swap.max
echo 30M > A/memory.high
echo 140M > A/memory.max
sh -c 'echo $$ > A/cgroup.procs; memhold -l 200M' &
sleep 1
ps -o pid,stat,comm $(cat A/cgroup.procs)
grep -E '^(high|max) ' A/memory.events
cat A/memory.current
sleep 10
grep -E '^(high|max) ' A/memory.events
cat A/memory.current
cat A/memory.pressure
echo 1 > A/cgroup.kill
wait
# What stays charged is this CPU's charge stock (63 pages), drained when the cgroup goes.
cat A/memory.current
rmdir A
