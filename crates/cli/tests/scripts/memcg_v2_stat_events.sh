# The event counters at the end of the v2 memory.stat (6.6 memory_stat_format,
# memcg_vm_event_stat[]): faults, major faults from swap, and the reclaim that memory.reclaim
# makes. Run with --kernel 6.6 by tests/it/cgroup2.rs.
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
echo +memory > cgroup.subtree_control
mkdir -p app
echo +memory > app/cgroup.subtree_control
mkdir app/w
# A new memcg has counted nothing; the event lines follow the sizes, in the kernel's order.
sed -n '/^pgscan /,$p' app/w/memory.stat
# 20M of anonymous memory: 5120 page faults, in the faulting task's memcg and its parent.
echo $$ > app/w/cgroup.procs
memhold 20M &
sleep 1
grep -E '^(pgfault|pgmajfault) ' app/w/memory.stat app/memory.stat
# memory.reclaim swaps 8M out: direct reclaim scans and steals. The pages started on the
# inactive list (5.9+), so the active list is not aged; each page stolen was scanned before,
# when the accessed bit its fault left spared it (folio_check_references: FOLIOREF_KEEP).
echo 8M > app/w/memory.reclaim
grep -E '^(pgscan|pgsteal|pgscan_direct|pgsteal_direct|pgscan_kswapd|pgrefill|pgdeactivate|pgactivate) ' app/w/memory.stat
cat app/w/memory.swap.current
# Writing every page again reads the swapped pages back: one major fault per page.
kill -USR1 $!
sleep 1
grep -E '^(pgfault|pgmajfault) ' app/w/memory.stat
cat app/w/memory.swap.current
kill $!
wait
echo $$ > /sys/fs/cgroup/cgroup.procs
# The counters stay after the tasks are gone, and the parent sums its children.
grep -E '^(pgfault|pgmajfault|pgscan|pgsteal) ' app/memory.stat
