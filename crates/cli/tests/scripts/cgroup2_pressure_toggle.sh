# cgroup.pressure (kernel/cgroup/cgroup.c cgroup_pressure_show/cgroup_pressure_write, v6.6):
# 0 turns the cgroup's PSI accounting off and hides its pressure files (cgroup_file_show),
# 1 shows them again; other numbers are ERANGE.
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
echo +memory > cgroup.subtree_control
swapoff -a
mkdir a b
echo 5M > a/memory.high
echo 5M > b/memory.high
cat a/cgroup.pressure
exec 3< a/memory.pressure
echo 0 > a/cgroup.pressure
cat a/cgroup.pressure
ls a | grep pressure
cat a/memory.pressure
# A file opened before is a deactivated kernfs node: ENODEV.
cat <&3
exec 3<&-
echo "some 150000 2000000" > a/memory.pressure
echo 2 > a/cgroup.pressure
# Two tasks throttled above memory.high: only b's stall is accounted.
sh -c 'echo $$ > a/cgroup.procs; exec memhold 10M' &
sh -c 'echo $$ > b/cgroup.procs; exec memhold 10M' &
sleep 5
grep some b/memory.pressure
echo 1 > a/cgroup.pressure
ls a | grep pressure
grep some a/memory.pressure
# The root's switch is psi_system's: /proc/pressure stays readable, its stall time stops
# growing once the stall in progress ends.
echo 0 > cgroup.pressure
ls | grep pressure
echo 1 > cgroup.pressure
ls | grep -c pressure
