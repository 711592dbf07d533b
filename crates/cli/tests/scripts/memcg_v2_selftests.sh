# The memory controller of Linux 6.6 on the default hierarchy: the deterministic checks of
# tools/testing/selftests/cgroup/test_memcontrol.c (v6.6), each under the selftest's name.
# Run with --kernel 6.6 by tests/it/cgroup2.rs.
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
# The root has memory.stat, memory.numa_stat and memory.reclaim only (CFTYPE_NOT_ON_ROOT on
# the rest).
ls | grep '^memory\.'
# test_memcg_subtree_control: memory shows in a child's cgroup.controllers only once the
# parent enables it in cgroup.subtree_control.
mkdir parent parent/child
cat parent/child/cgroup.controllers | wc -c
echo +memory > cgroup.subtree_control
echo +memory > parent/cgroup.subtree_control
cat parent/child/cgroup.controllers
rmdir parent/child parent
# The files of a non-root memcg, their modes, and their defaults.
mkdir memcg_test
ls -l memcg_test | grep ' memory\.' | awk '{print $1, $NF}'
cat memcg_test/memory.min memcg_test/memory.low memcg_test/memory.high memcg_test/memory.max
cat memcg_test/memory.events memcg_test/memory.swap.events memcg_test/memory.oom.group
# Parsing: page_counter_memparse(buf, "max") rounds down to a page; v1's -1 is EINVAL.
echo 4097 > memcg_test/memory.low
cat memcg_test/memory.low
echo -1 > memcg_test/memory.max
echo 1X > memcg_test/memory.max
echo 2 > memcg_test/memory.oom.group
echo 1T > memcg_test/memory.high
cat memcg_test/memory.high
echo max > memcg_test/memory.high
cat memcg_test/memory.high
echo 1 > memcg_test/memory.current
cat memcg_test/memory.reclaim
# test_memcg_current: a new memcg uses nothing; 50M of anonymous memory shows in
# memory.current and as anon in memory.stat.
cat memcg_test/memory.current
echo $$ > memcg_test/cgroup.procs
memhold 50M &
sleep 1
cat memcg_test/memory.current
head -2 memcg_test/memory.stat
# test_memcg_reclaim: memory.reclaim takes memory back (here by swapping out), and fails with
# EAGAIN when it cannot reclaim as much as asked.
echo 10M > memcg_test/memory.reclaim
cat memcg_test/memory.current memcg_test/memory.swap.current
echo 0 > memcg_test/memory.swap.max
echo 40M > memcg_test/memory.reclaim
kill $!
wait
echo $$ > cgroup.procs
cat memcg_test/memory.current memcg_test/memory.swap.current memcg_test/memory.swap.peak
# test_memcg_max: memory.max reads max by default and 30M once written; with no swap, a task
# touching 100M is OOM-killed, and memory.events counts max events.
echo max > memcg_test/memory.swap.max
mkdir memcg_max
cat memcg_max/memory.max
echo 0 > memcg_max/memory.swap.max
echo 30M > memcg_max/memory.max
cat memcg_max/memory.max
sh -c 'echo $$ > memcg_max/cgroup.procs; exec memhog 100M'
echo $?
cat memcg_max/memory.peak
cat memcg_max/memory.events
# test_memcg_oom_events: the OOM kill empties the cgroup and counts one oom and one oom_kill.
cat memcg_max/cgroup.procs | wc -l
# test_memcg_oom_group_leaf_events: with memory.oom.group, the OOM kills every task of the
# group (oom_kill counts each, oom_group_kill once).
mkdir memcg_group
echo 50M > memcg_group/memory.max
echo 0 > memcg_group/memory.swap.max
echo 1 > memcg_group/memory.oom.group
echo $$ > memcg_group/cgroup.procs
memhold 1M &
memhold 1M &
sleep 1
echo $$ > cgroup.procs
cat memcg_group/cgroup.procs | wc -l
sh -c 'echo $$ > memcg_group/cgroup.procs; exec memhog 100M'
wait
cat memcg_group/cgroup.procs | wc -l
grep oom memcg_group/memory.events
dmesg | grep 'memory.oom.group'
# test_memcg_high: with memory.high 30M, 31M of anonymous memory is allocated (usage over
# high is reclaimed, not refused) and memory.events counts high events.
mkdir memcg_high
echo 30M > memcg_high/memory.high
sh -c 'echo $$ > memcg_high/cgroup.procs; exec memhog 31M'
echo $?
cat memcg_high/memory.events
# memory.max below usage: stored, then usage is reclaimed down to it (memory_max_write).
mkdir memcg_shrink
echo $$ > memcg_shrink/cgroup.procs
memhold 8M &
sleep 1
echo 2M > memcg_shrink/memory.max
cat memcg_shrink/memory.current memcg_shrink/memory.swap.current
kill $!
wait
echo $$ > cgroup.procs
# The v1 files (limit_in_bytes, use_hierarchy, ...) do not exist on the default hierarchy.
ls memcg_shrink | grep -c _in_bytes
rmdir memcg_test memcg_max memcg_group memcg_shrink memcg_high
# The page-cache halves, with the selftest's own tolerance (cgroup_util.c values_close(a, b,
# err): abs(a - b) <= (a + b) / 100 * err). The temporary
# file is on the root filesystem (the selftest's get_temp_fd uses its working directory), so
# its page cache is file memory that reclaim can write back and drop.
values_close() { d=$(($1 - $2)); [ $d -lt 0 ] && d=$((-d)); [ $d -le $((($1 + $2) / 100 * $3)) ]; }
# alloc_pagecache_50M_check: after writing 50M to a file, memory.current is at least 50M and
# memory.stat's file is within 10% of it.
alloc_pagecache_50M_check() {
	dd if=/dev/zero of=/tmp/pagecache bs=1M count=50 2>/dev/null || return 1
	current=$(cat $1/memory.current)
	file=$(grep '^file ' $1/memory.stat | cut -d' ' -f2)
	rm /tmp/pagecache
	[ $current -ge 52428800 ] && values_close $file $current 10
}
# alloc_pagecache_max_30M: with memory.max at 30M, writing 50M leaves
# memory.current within 5% of 30M.
alloc_pagecache_max_30M() {
	dd if=/dev/zero of=/tmp/pagecache bs=1M count=50 2>/dev/null || return 1
	current=$(cat $1/memory.current)
	rm /tmp/pagecache
	values_close $current 31457280 5
}
kresult() { if [ "$1" = 0 ]; then echo "ok $2"; else echo "not ok $2"; fi; }
test_memcg_current_pagecache() {
	mkdir memcg_test || return 1
	echo $$ > memcg_test/cgroup.procs
	alloc_pagecache_50M_check memcg_test
	r=$?
	echo $$ > cgroup.procs
	rmdir memcg_test
	return $r
}
test_memcg_max_pagecache() {
	mkdir memcg_test || return 1
	echo 30M > memcg_test/memory.max
	echo $$ > memcg_test/cgroup.procs
	alloc_pagecache_max_30M memcg_test
	r=$?
	echo $$ > cgroup.procs
	rmdir memcg_test
	return $r
}
# test_memcg_oom_group_score_events: memory.oom.group kills every task but the one with
# oom_score_adj -1000; memory.events counts oom_kill 3 (the victim twice, see
# memcontrol_v2.rs oom_kill_group).
test_memcg_oom_group_score_events() {
	mkdir memcg_test || return 1
	echo 50M > memcg_test/memory.max
	echo 0 > memcg_test/memory.swap.max
	echo 1 > memcg_test/memory.oom.group
	echo $$ > memcg_test/cgroup.procs
	memhold 1M > /dev/null &
	safe=$!
	echo -1000 > /proc/$safe/oom_score_adj
	memhold 1M > /dev/null &
	other=$!
	sleep 1
	echo $$ > cgroup.procs
	sh -c 'echo $$ > memcg_test/cgroup.procs; exec memhog 100M' > /dev/null 2>&1
	r=0
	[ "$(grep '^oom_kill ' memcg_test/memory.events | cut -d' ' -f2)" = 3 ] || r=1
	kill $safe
	wait $safe $other 2>/dev/null
	rmdir memcg_test
	return $r
}
for t in test_memcg_current_pagecache test_memcg_max_pagecache test_memcg_oom_group_score_events; do
	$t
	kresult $? $t
done
