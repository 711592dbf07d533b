# cpu.stat and cpu.stat.local on the default hierarchy (6.6): the bandwidth lines of
# cpu_extra_stat_show and cpu_local_stat_show appear where the cgroup has a cpu css of its own
# (cgroup_extra_stat_show, cgroup_local_stat_show): in the root, and in a child whose parent
# enables cpu in cgroup.subtree_control; not while cpu is bound to a v1 hierarchy.
mkdir -p /sys/fs/cgroup /cpu
mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
mkdir a
cat a/cpu.stat a/cpu.stat.local
echo +cpu > cgroup.subtree_control
cat a/cpu.stat a/cpu.stat.local
# A 2 ms quota per 10 ms period, a hog in a child of a for a second: the child is throttled
# by its parent's quota (its own cpu.stat counts no throttling, its cpu.stat.local does).
echo +cpu > a/cgroup.subtree_control
mkdir a/b
echo "2000 10000" > a/cpu.max
cat a/cpu.max
sh -c 'echo $$ > a/b/cgroup.procs; stress -q --cpu 1 --timeout 1'
cat a/cpu.stat a/cpu.stat.local a/b/cpu.stat a/b/cpu.stat.local
grep -E 'some|full' a/cpu.pressure
# cpu.max max: no more periods are counted.
echo max > a/cpu.max
sleep 1
grep nr_periods a/cpu.stat
rmdir a/b
echo -cpu > a/cgroup.subtree_control
echo -cpu > cgroup.subtree_control
mount -t cgroup -o cpu none /cpu
cat cgroup.controllers
cat cpu.stat cpu.stat.local
