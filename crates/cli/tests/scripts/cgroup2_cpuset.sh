# The cpuset controller on the default hierarchy of Linux 6.6 (kernel/cgroup/cpuset.c
# dfl_files[]): cpuset.cpus.effective and cpuset.mems.effective in every cgroup (the root's
# too), cpuset.cpus, cpuset.mems and cpuset.cpus.partition below the root; v2 mode's rules
# (an empty cpuset.cpus inherits the parent's CPUs, a process may join an empty cpuset, a
# populated one cannot lose its last CPU) and a partition root taking its CPUs from its
# parent. The simulated machine has 2 CPUs and 1 memory node. Run with --kernel 6.6 by
# tests/it/cgroup2.rs.
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
ls -l | grep cpuset
cat cpuset.cpus.effective cpuset.mems.effective
echo 0 > cpuset.cpus.effective
echo +cpuset > cgroup.subtree_control
mkdir a b
ls -l a | grep cpuset
cat a/cpuset.cpus a/cpuset.cpus.effective a/cpuset.mems a/cpuset.mems.effective a/cpuset.cpus.partition
# An empty cpuset takes processes on v2 (cpuset_can_attach checks the effective CPUs).
sleep 100 &
p=$!
echo $p > a/cgroup.procs; echo $?
echo 1 > a/cpuset.cpus; cat a/cpuset.cpus a/cpuset.cpus.effective
# 6.6's bitmap_parselist: separators anywhere, N for the last CPU, ERANGE past it.
echo ',0-N,' > a/cpuset.cpus; cat a/cpuset.cpus
echo 0-1:1/2 > a/cpuset.cpus; cat a/cpuset.cpus
echo 2 > a/cpuset.cpus
echo 1-0 > a/cpuset.cpus
echo 0-1,x > a/cpuset.cpus
echo 1 > a/cpuset.mems
cat a/cpuset.cpus
# A populated cpuset cannot go from some CPUs to none.
echo "" > a/cpuset.cpus
echo "" > b/cpuset.cpus; echo $?
echo foo > a/cpuset.cpus.partition
echo root > b/cpuset.cpus.partition; cat b/cpuset.cpus.partition
echo 1 > b/cpuset.cpus
echo root > b/cpuset.cpus.partition; cat b/cpuset.cpus.partition
cat cpuset.cpus.effective b/cpuset.cpus.effective a/cpuset.cpus.effective
# CPU 1 is b's alone now: a sibling cannot claim it.
echo 1 > a/cpuset.cpus
echo member > b/cpuset.cpus.partition; cat b/cpuset.cpus.partition cpuset.cpus.effective
kill $p
