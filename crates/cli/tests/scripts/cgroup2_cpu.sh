# The cpu controller's files on the default hierarchy (kernel/sched/core.c cpu_files[], v6.6):
# cpu.weight and cpu.weight.nice share the group's weight, cpu.max and cpu.max.burst its CFS bandwidth.
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
echo +cpu > /sys/fs/cgroup/cgroup.subtree_control
mkdir /sys/fs/cgroup/c
ls /sys/fs/cgroup/c | grep '^cpu\.'
ls /sys/fs/cgroup | grep '^cpu\.'
cat /sys/fs/cgroup/c/cpu.weight /sys/fs/cgroup/c/cpu.weight.nice /sys/fs/cgroup/c/cpu.max /sys/fs/cgroup/c/cpu.max.burst /sys/fs/cgroup/c/cpu.idle
echo 50 > /sys/fs/cgroup/c/cpu.weight
cat /sys/fs/cgroup/c/cpu.weight /sys/fs/cgroup/c/cpu.weight.nice
echo 0 > /sys/fs/cgroup/c/cpu.weight
echo 10001 > /sys/fs/cgroup/c/cpu.weight
echo -5 > /sys/fs/cgroup/c/cpu.weight.nice
cat /sys/fs/cgroup/c/cpu.weight /sys/fs/cgroup/c/cpu.weight.nice
echo 20 > /sys/fs/cgroup/c/cpu.weight.nice
echo "50000 100000" > /sys/fs/cgroup/c/cpu.max
cat /sys/fs/cgroup/c/cpu.max
echo "max" > /sys/fs/cgroup/c/cpu.max
cat /sys/fs/cgroup/c/cpu.max
echo "500 100000" > /sys/fs/cgroup/c/cpu.max
echo "50000 2000000" > /sys/fs/cgroup/c/cpu.max
echo "abc" > /sys/fs/cgroup/c/cpu.max
echo "20000 50000" > /sys/fs/cgroup/c/cpu.max
echo 30000 > /sys/fs/cgroup/c/cpu.max.burst
echo 10000 > /sys/fs/cgroup/c/cpu.max.burst
cat /sys/fs/cgroup/c/cpu.max /sys/fs/cgroup/c/cpu.max.burst
