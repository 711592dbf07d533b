# cpu.idle (kernel/sched/fair.c sched_group_set_idle, v6.6): 1 gives the group's entities the
# SCHED_IDLE weight, WEIGHT_IDLEPRIO (3), so cpu.weight reads 0 and cpu.weight.nice 19, and
# writing either is EINVAL (sched_group_set_shares refuses an idle group) until cpu.idle is
# 0 again, which sets the default weight (100), not the one written before.
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
echo +cpu > cgroup.subtree_control
mkdir idle busy
echo 50 > idle/cpu.weight
echo 1 > idle/cpu.idle
cat idle/cpu.idle idle/cpu.weight idle/cpu.weight.nice
echo 100 > idle/cpu.weight
echo 0 > idle/cpu.weight.nice
echo 2 > idle/cpu.idle
echo -1 > idle/cpu.idle
echo 1 > idle/cpu.idle
cat idle/cpu.weight
echo 0 > idle/cpu.idle
cat idle/cpu.idle idle/cpu.weight idle/cpu.weight.nice
echo 1 > idle/cpu.idle
# Two hogs on the same CPU, one in each group, for 2 seconds: the idle group gets 3/1027 of
# the CPU while the other group wants it.
sh -c 'echo $$ > idle/cgroup.procs; exec taskset -c 0 stress -q --cpu 1 --timeout 2' &
sh -c 'echo $$ > busy/cgroup.procs; exec taskset -c 0 stress -q --cpu 1 --timeout 2' &
wait
grep usage_usec idle/cpu.stat busy/cpu.stat
# Alone on the CPU, the idle group runs as fast as any.
sh -c 'echo $$ > idle/cgroup.procs; exec taskset -c 0 stress -q --cpu 1 --timeout 1' &
wait
grep usage_usec idle/cpu.stat
