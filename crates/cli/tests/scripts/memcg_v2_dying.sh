# A removed memcg that still has charged pages stays dying (mm/memcontrol.c v6.6:
# mem_cgroup_css_offline moves no page; each charged folio holds a css reference, each swap
# entry the memcg id). It counts in its ancestors' cgroup.stat nr_dying_descendants, its pages
# stay in the parent's memory.current and memory.stat, the parent's reclaim finds them, and it
# is freed when the last page or swap entry goes. Run with --kernel 6.6 by tests/it/cgroup2.rs.
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
# 1. Page cache written from A, then A removed: freed when the file is deleted.
mkdir A
echo +memory > cgroup.subtree_control
echo $$ > A/cgroup.procs
dd if=/dev/zero of=/tmp/f bs=1M count=4
echo $$ > cgroup.procs
cat A/memory.current
rmdir A
cat cgroup.stat
grep '^file ' memory.stat
rm /tmp/f
cat cgroup.stat
# 2. The same below P: the parent's memory.reclaim frees the dying child's page cache (and,
# asked for more than there is, fails with EAGAIN as memory_reclaim does).
mkdir P
echo +memory > P/cgroup.subtree_control
mkdir P/A
echo $$ > P/A/cgroup.procs
dd if=/dev/zero of=/tmp/f bs=1M count=4 2>/dev/null
echo $$ > cgroup.procs
rmdir P/A
cat P/cgroup.stat cgroup.stat
cat P/memory.current
grep '^file ' P/memory.stat
echo 1G > P/memory.reclaim
cat P/memory.current
cat P/cgroup.stat cgroup.stat
ls -l /tmp/f
rm /tmp/f
# 3. Anonymous memory of a task that left B, swapped out by the parent's reclaim: the swap
# entries keep B dying until the task exits and they are freed.
mkdir P/B
echo $$ > P/B/cgroup.procs
memhold 2M &
echo $$ > cgroup.procs
echo $! > cgroup.procs
cat /proc/$!/cgroup
cat P/B/memory.current
rmdir P/B
cat P/cgroup.stat
grep '^anon ' P/memory.stat
echo 1G > P/memory.reclaim
cat P/memory.current P/memory.swap.current
cat P/cgroup.stat
kill $!
wait
cat P/memory.swap.current
cat P/cgroup.stat
rmdir P
cat cgroup.stat
