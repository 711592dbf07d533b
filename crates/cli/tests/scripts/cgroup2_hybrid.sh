# systemd's "hybrid" layout on Linux 6.6: v1 hierarchies beside the unified one
# (kernel/cgroup/cgroup-v1.c cgroup1_parse_param, cgroup1_show_options, v6.6;
# kernel/cgroup/cgroup.c proc_cgroup_show).
mkdir -p /sys/fs/cgroup/unified /sys/fs/cgroup/systemd /sys/fs/cgroup/memory /sys/fs/cgroup/cpu,cpuacct /sys/fs/cgroup/cpuset
mount -t cgroup2 -o rw,nosuid,nodev,noexec,relatime,nsdelegate cgroup2 /sys/fs/cgroup/unified
mount -t cgroup -o rw,nosuid,nodev,noexec,relatime,none,name=systemd,xattr cgroup /sys/fs/cgroup/systemd
mount -t cgroup -o rw,nosuid,nodev,noexec,relatime,memory cgroup /sys/fs/cgroup/memory
# The names print in subsystem id order whatever order the options had.
mount -t cgroup -o rw,nosuid,nodev,noexec,relatime,cpuacct,cpu cgroup /sys/fs/cgroup/cpu,cpuacct
mount -t cgroup -o clone_children,cpuset_v2_mode,cpuset cgroup /sys/fs/cgroup/cpuset
grep cgroup /proc/self/mounts
cat /proc/self/cgroup
cat /sys/fs/cgroup/cpuset/cgroup.clone_children
cat /sys/fs/cgroup/unified/cgroup.controllers
# A hierarchy is only made with subsystems or none; an unknown or disabled subsystem name and a
# name over 63 bytes are EINVAL (invalfc), a name alone finds an existing hierarchy.
mkdir /y
mount -t cgroup -o xattr,name=other cgroup /y
mount -t cgroup -o nosuchsubsys cgroup /y
mount -t cgroup -o none,name=a234567890123456789012345678901234567890123456789012345678901234 cgroup /y
mount -t cgroup -o name=systemd cgroup /y
grep ' /y ' /proc/self/mounts
