# test_memcg_high of tools/testing/selftests/cgroup/test_memcontrol.c (v6.6) with its
# page-cache half, on the default hierarchy (run with --kernel 6.6 by tests/it/cgroup2.rs).
# Under memory.high 30M (no swap): 31M of anonymous memory is allocated without a kill;
# alloc_pagecache_50M_check fails (usage cannot reach 50M); alloc_pagecache_max_30M leaves
# memory.current within 5% of 30M; memory.events counts high events. The page cache is
# written by dd, so it is dirty: the memcg's dirty limits (mm/page-writeback.c
# balance_dirty_pages with cgroup writeback: vm.dirty_background_ratio 10% and
# vm.dirty_ratio 20% of the memory the memcg may still use) have it written back as it goes,
# so reclaim above memory.high finds clean pages to free.
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
echo +memory > cgroup.subtree_control
values_close() { d=$(($1 - $2)); [ $d -lt 0 ] && d=$((-d)); [ $d -le $((($1 + $2) / 100 * $3)) ]; }
alloc_pagecache_50M_check() {
	dd if=/dev/zero of=/tmp/pagecache bs=1M count=50 2>/dev/null || return 1
	current=$(cat $1/memory.current)
	file=$(grep '^file ' $1/memory.stat | cut -d' ' -f2)
	echo "current $current file $file dirty $(grep '^file_dirty ' $1/memory.stat | cut -d' ' -f2)"
	rm /tmp/pagecache
	[ $current -ge 52428800 ] && values_close $file $current 10
}
alloc_pagecache_max_30M() {
	high=$(cat $1/memory.high)
	max=$(cat $1/memory.max)
	[ "$high" = 31457280 ] || [ "$max" = 31457280 ] || return 1
	dd if=/dev/zero of=/tmp/pagecache bs=1M count=50 2>/dev/null || return 1
	current=$(cat $1/memory.current)
	echo "current $current dirty $(grep '^file_dirty ' $1/memory.stat | cut -d' ' -f2)"
	rm /tmp/pagecache
	values_close $current 31457280 5
}
kresult() { if [ "$1" = 0 ]; then echo "ok $2"; else echo "not ok $2"; fi; }
test_memcg_high() {
	mkdir memcg_test || return 1
	[ "$(cat memcg_test/memory.high)" = max ] || return 1
	echo 0 > memcg_test/memory.swap.max || return 1
	echo 30M > memcg_test/memory.high || return 1
	sh -c 'echo $$ > memcg_test/cgroup.procs; exec memhog 31M' > /dev/null || return 1
	echo $$ > memcg_test/cgroup.procs
	r=0
	alloc_pagecache_50M_check memcg_test && r=1
	alloc_pagecache_max_30M memcg_test || r=1
	echo $$ > cgroup.procs
	grep '^high ' memcg_test/memory.events
	[ "$(grep '^high ' memcg_test/memory.events | cut -d' ' -f2)" -gt 0 ] || r=1
	rmdir memcg_test
	return $r
}
test_memcg_high
kresult $? test_memcg_high
