# cgsim run --echo --renderer builtin --out docs/book/src/ch02/hierarchies docs/book/src/ch02/hierarchies.sh
mkdir -p /sys/fs/cgroup/cpu /sys/fs/cgroup/memory
trace on --summary off
mount -t cgroup -o cpu,cpuacct none /sys/fs/cgroup/cpu
trace off
mount -t cgroup -o memory none /sys/fs/cgroup/memory
cat /proc/cgroups
mount -t cgroup
ls /sys/fs/cgroup/cpu
dot hierarchy
mount -t cgroup -o cpu none /tmp
mount -t cgroup -o remount,cpu none /sys/fs/cgroup/cpu
cat /proc/cgroups
umount /sys/fs/cgroup/memory
cat /proc/cgroups
