# The protection and swap tests of tools/testing/selftests/cgroup/test_memcontrol.c (v6.6):
# test_memcg_min, test_memcg_low, test_memcg_reclaim, test_memcg_swap_max and
# test_memcg_oom_group_parent_events, each a shell function with the selftest's sizes, checks
# and tolerances, reporting "ok NAME" or "not ok NAME" as kselftest does. Run with
# --kernel 6.6 by tests/it/cgroup2.rs.
#
# Differences from the C test: alloc_pagecache_50M_noexit reads 50M of a hole of a shared
# temporary file (clean page cache); here each child writes its own 50M file with dd (dirty
# page cache, which reclaim writes back before it frees it). cg_run(cg, alloc_anon, SIZE) is
# memhog SIZE in the cgroup (status 0, or 137 when OOM-killed); cg_run_nowait(cg,
# alloc_anon_noexit, SIZE) is memhold SIZE in the background.
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
echo +memory > cgroup.subtree_control
# cgroup_util.c values_close(a, b, err): abs(a - b) <= (a + b) / 100 * err.
values_close() { d=$(($1 - $2)); [ $d -lt 0 ] && d=$((-d)); [ $d -le $((($1 + $2) / 100 * $3)) ]; }
key() { grep "^$2 " $1 | cut -d' ' -f2; }
kresult() { if [ "$1" = 0 ]; then echo "ok $2"; else echo "not ok $2"; fi; }
# cg_run: run a command in cgroup $1 and wait for it.
cg_run() { cg=$1; shift; sh -c "echo \$\$ > $cg/cgroup.procs; exec $*" > /dev/null 2>&1; }
# reclaim_until(memcg, goal): write memory.reclaim until usage is below or within 3% of the
# goal; fails if memory.reclaim answers anything but success or EAGAIN, or succeeds without
# reaching the goal.
reclaim_until() {
	reclaimed=0
	for retry in 1 2 3 4 5; do
		current=$(cat $1/memory.current)
		if [ $current -lt $2 ] || values_close $current $2 3; then
			break
		elif [ $reclaimed = 1 ]; then
			return 1
		fi
		if err=$( { echo $((current - $2)) > $1/memory.reclaim; } 2>&1 ); then
			reclaimed=1
		else
			case $err in
			*'Resource temporarily unavailable'*) ;;
			*) return 1 ;;
			esac
		fi
	done
	[ $reclaimed = 1 ]
}
# test_memcg_protection(min|low):
#   A       memory.max = 200M, memory.swap.max = 0
#   A/B     memory.min (or low) = 50M
#   A/B/C   75M,   50M of page cache
#   A/B/D   25M,   50M of page cache
#   A/B/E   0,     50M of page cache
#   A/B/F   500M,  nothing
# then 148M of anonymous memory in A/G leaves A/B at ~50M, C at ~29M, D at ~21M, F at 0;
# 170M more fails under memory.min and succeeds under memory.low (A/B down to ~30M); and
# memory.reclaim takes C down to 10M whatever its protection.
test_memcg_protection() {
	attribute=memory.$1
	A=memcg_test_0 B=memcg_test_0/memcg_test_1 G=memcg_test_0/memcg_test_2
	mkdir $A || return 1
	[ "$(cat $A/$attribute)" = 0 ] || return 1
	echo +memory > $A/cgroup.subtree_control
	echo 200M > $A/memory.max
	echo 0 > $A/memory.swap.max
	mkdir $B $G
	echo +memory > $B/cgroup.subtree_control
	for i in 0 1 2 3; do
		mkdir $B/child_memcg_$i
		[ $i -gt 2 ] && continue
		cg_run $B/child_memcg_$i dd if=/dev/zero of=/tmp/pagecache_$i bs=1M count=50
	done
	echo 50M > $B/$attribute
	echo 75M > $B/child_memcg_0/$attribute
	echo 25M > $B/child_memcg_1/$attribute
	echo 0 > $B/child_memcg_2/$attribute
	echo 500M > $B/child_memcg_3/$attribute
	r=1
	while :; do
		values_close $(cat $B/memory.current) 157286400 3 || break
		cg_run $G memhog 148M || break
		values_close $(cat $B/memory.current) 52428800 3 || break
		c0=$(cat $B/child_memcg_0/memory.current)
		c1=$(cat $B/child_memcg_1/memory.current)
		c3=$(cat $B/child_memcg_3/memory.current)
		values_close $c0 30408704 10 || break
		values_close $c1 22020096 10 || break
		[ $c3 = 0 ] || break
		cg_run $G memhog 170M
		rc=$?
		if [ $1 = min ]; then
			[ $rc != 0 ] || break
			current=52428800
		else
			[ $rc = 0 ] || break
			current=31457280
		fi
		values_close $(cat $B/memory.current) $current 3 || break
		reclaim_until $B/child_memcg_0 10485760 || break
		if [ $1 = low ]; then
			for i in 0 1 2 3; do
				low=$(key $B/child_memcg_$i/memory.events low)
				oom=$(key $B/child_memcg_$i/memory.events oom)
				[ $oom = 0 ] || break 2
				if [ $i -le 1 ]; then
					[ $low -gt 0 ] || break 2
				else
					[ $low = 0 ] || break 2
				fi
			done
		fi
		r=0
		break
	done
	echo "$1: C $c0 D $c1 F $c3, A/B $(cat $B/memory.current)"
	rm -f /tmp/pagecache_0 /tmp/pagecache_1 /tmp/pagecache_2
	rmdir $B/child_memcg_0 $B/child_memcg_1 $B/child_memcg_2 $B/child_memcg_3 $B $G $A
	return $r
}
test_memcg_min() { test_memcg_protection min; }
test_memcg_low() { test_memcg_protection low; }
# test_memcg_reclaim: 50M of page cache and (swap being on) 50M of anonymous memory, then
# memory.reclaim down to 30M.
test_memcg_reclaim() {
	mkdir memcg_test || return 1
	r=1
	[ "$(cat memcg_test/memory.current)" = 0 ] &&
	cg_run memcg_test dd if=/dev/zero of=/tmp/pagecache bs=1M count=50 && {
		echo $$ > memcg_test/cgroup.procs
		memhold 50M > /dev/null &
		echo $$ > cgroup.procs
		sleep 1
		values_close $(cat memcg_test/memory.current) 104857600 10 &&
		reclaim_until memcg_test 31457280 && r=0
		echo "reclaim: current $(cat memcg_test/memory.current) swap $(cat memcg_test/memory.swap.current)"
		kill $!
		wait $!
	}
	rm -f /tmp/pagecache
	rmdir memcg_test
	return $r
}
# test_memcg_swap_max: memory.max and memory.swap.max 30M; 100M is OOM-killed (one oom, one
# oom_kill); 50M lives as ~30M in memory and the rest in swap; max events are counted.
test_memcg_swap_max() {
	mkdir memcg_test || return 1
	r=1
	while :; do
		[ "$(cat memcg_test/memory.swap.current)" = 0 ] || break
		[ "$(cat memcg_test/memory.max)" = max ] || break
		[ "$(cat memcg_test/memory.swap.max)" = max ] || break
		echo 30M > memcg_test/memory.swap.max
		echo 30M > memcg_test/memory.max
		cg_run memcg_test memhog 100M && break
		[ "$(key memcg_test/memory.events oom)" = 1 ] || break
		[ "$(key memcg_test/memory.events oom_kill)" = 1 ] || break
		echo $$ > memcg_test/cgroup.procs
		memhold 50M > /dev/null &
		echo $$ > cgroup.procs
		sleep 1
		mem=$(cat memcg_test/memory.current)
		swap=$(cat memcg_test/memory.swap.current)
		echo "swap_max: current $mem swap $swap"
		kill $!
		wait $!
		[ $mem != 0 ] && values_close $mem 31457280 3 || break
		[ $swap != 0 ] && values_close $((mem + swap)) 52428800 3 || break
		[ "$(key memcg_test/memory.events max)" -gt 0 ] || break
		r=0
		break
	done
	rmdir memcg_test
	return $r
}
# test_memcg_oom_group_parent_events: the parent (memory.max 80M, no swap, memory.oom.group)
# does not enable memory for its child, whose tasks are therefore charged to the parent; 100M
# in the child OOMs the parent and the group kill empties both cgroups.
test_memcg_oom_group_parent_events() {
	mkdir memcg_test_0 memcg_test_0/memcg_test_1 || return 1
	echo 80M > memcg_test_0/memory.max
	echo 0 > memcg_test_0/memory.swap.max
	echo 1 > memcg_test_0/memory.oom.group
	echo $$ > memcg_test_0/cgroup.procs
	memhold 60M > /dev/null &
	echo $$ > memcg_test_0/memcg_test_1/cgroup.procs
	memhold 1M > /dev/null &
	memhold 1M > /dev/null &
	echo $$ > cgroup.procs
	sleep 1
	r=1
	cg_run memcg_test_0/memcg_test_1 memhog 100M || {
		wait
		[ -z "$(cat memcg_test_0/memcg_test_1/cgroup.procs)" ] &&
		[ -z "$(cat memcg_test_0/cgroup.procs)" ] && r=0
	}
	rmdir memcg_test_0/memcg_test_1 memcg_test_0
	return $r
}
for t in test_memcg_min test_memcg_low test_memcg_reclaim test_memcg_swap_max \
	test_memcg_oom_group_parent_events; do
	$t
	kresult $? $t
done
