# The common blog tutorial "limit a process's memory with cgroup v2", pasted as a learner
# would (Linux 6.6: kernel/cgroup/cgroup.c, mm/memcontrol.c, kernel/sched/psi.c), then the
# delegation of a subtree to a user (Documentation/admin-guide/cgroup-v2.rst, "Delegation").
# Run with --kernel 6.6 by tests/it/cgroup2.rs.
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
# coreutils 9.1 human_fstype: CGROUP2_SUPER_MAGIC is "cgroup2fs".
stat -f -c %T /sys/fs/cgroup
echo "+memory" > /sys/fs/cgroup/cgroup.subtree_control
mkdir /sys/fs/cgroup/mygroup
echo 100M > /sys/fs/cgroup/mygroup/memory.max
echo 80M > /sys/fs/cgroup/mygroup/memory.high
cat /sys/fs/cgroup/mygroup/memory.max /sys/fs/cgroup/mygroup/memory.high
# page_counter_memparse: no fractions, no -1; values round down to a page.
echo 1.5G > /sys/fs/cgroup/mygroup/memory.max
echo -1 > /sys/fs/cgroup/mygroup/memory.max
echo 12345 > /sys/fs/cgroup/mygroup/memory.low
cat /sys/fs/cgroup/mygroup/memory.low
echo $$ > /sys/fs/cgroup/mygroup/cgroup.procs
stress --vm 1 --vm-bytes 150M --timeout 5s
cat /sys/fs/cgroup/mygroup/memory.events
# Without swap nothing can be reclaimed: memory.high throttles the worker in the middle of
# its allocation (6.6 try_charge_memcg -> mem_cgroup_handle_over_high), so in 5 s it never
# reaches memory.max and its alarm ends it (stress counts SIGALRM as success).
swapoff -a
stress --vm 1 --vm-bytes 150M --timeout 5s
cat /sys/fs/cgroup/mygroup/memory.events
# Without memory.high the worker cannot fit under memory.max: the memcg OOM killer takes it.
echo max > /sys/fs/cgroup/mygroup/memory.high
stress --vm 1 --vm-bytes 150M --timeout 5s
cat /sys/fs/cgroup/mygroup/memory.events
# PSI triggers (psi_trigger_create): a window of 500 ms..10 s, a threshold within it.
echo "some 150000 1000000" > /sys/fs/cgroup/mygroup/memory.pressure
echo "some 150000 1000" > /sys/fs/cgroup/mygroup/memory.pressure
echo "full 2000000 1000000" > /sys/fs/cgroup/mygroup/memory.pressure
# memory.reclaim is write-only (mode 0200): kernfs refuses to open it for reading.
cat /sys/fs/cgroup/mygroup/memory.reclaim
echo $$ > /sys/fs/cgroup/cgroup.procs
# Delegation: the user owns the directory and its cgroup.procs, cgroup.subtree_control and
# cgroup.threads; moving a process needs write access to the common ancestor's cgroup.procs.
useradd -m alice
mkdir /sys/fs/cgroup/user
echo +memory > /sys/fs/cgroup/user/cgroup.subtree_control
cd /sys/fs/cgroup/user
chown alice . cgroup.procs cgroup.subtree_control cgroup.threads
su alice -c 'mkdir /sys/fs/cgroup/user/a /sys/fs/cgroup/user/b'
sleep 1000 &
echo $! > a/cgroup.procs
su alice -c "echo $! > /sys/fs/cgroup/user/b/cgroup.procs"
cat b/cgroup.procs
su alice -c "echo $! > /sys/fs/cgroup/mygroup/cgroup.procs"
su alice -c "echo 10M > /sys/fs/cgroup/user/memory.max"
su alice -c "echo 10M > /sys/fs/cgroup/user/a/memory.max"
kill $!
wait
