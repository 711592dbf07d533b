# The OOM killer's report of Linux 6.6 for a memory cgroup on the default hierarchy
# (mm/oom_kill.c dump_header, dump_tasks, dump_oom_victim, __oom_kill_process;
# mm/memcontrol.c mem_cgroup_print_oom_meminfo, mem_cgroup_print_oom_group), then the
# memory.oom.group variant. Run with --kernel 6.6 by tests/it/cgroup2.rs.
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
echo +memory > cgroup.subtree_control
mkdir X
echo 0 > X/memory.swap.max
echo 20M > X/memory.max
sh -c 'echo $$ > X/cgroup.procs; exec memhog 50M'
dmesg -c
cat X/memory.events
# memory.oom.group: every task of the group dies, the victim is logged and counted twice.
mkdir G
echo 20M > G/memory.max
echo 0 > G/memory.swap.max
echo 1 > G/memory.oom.group
echo $$ > G/cgroup.procs
memhold 1M &
sleep 1
echo $$ > cgroup.procs
sh -c 'echo $$ > G/cgroup.procs; exec memhog 50M'
wait
dmesg | grep -E 'invoked|^oom-kill|Killed process|going to be killed'
cat G/memory.events G/cgroup.procs
