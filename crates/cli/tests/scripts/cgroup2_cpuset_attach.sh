# Moving processes into cgroups whose cpuset controller is enabled, on the default hierarchy
# (kernel/cgroup/cpuset.c v6.6 cpuset_can_attach): in v2 mode an empty cpuset.cpus does not
# refuse the move (a v2 cpuset's effective CPUs and nodes are its parent's), so the tutorials'
# `echo "+cpu +cpuset +memory" > cgroup.subtree_control` leaves every child usable.
# Run with --kernel 6.6 by tests/it/cgroup2.rs.
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
echo "+cpu +cpuset +memory" > cgroup.subtree_control
mkdir -p A/B
echo $$ > A/cgroup.procs
cat /proc/self/cgroup
# A thread root and a threaded child, with cpuset on both.
echo +cpuset > A/cgroup.subtree_control
echo threaded > A/B/cgroup.type
cat A/cgroup.type A/B/cgroup.controllers
sleep 100 &
echo $! > A/B/cgroup.procs
cat A/cgroup.procs
cat A/B/cgroup.threads
echo $$ > cgroup.procs
kill $!
wait
rmdir A/B A
