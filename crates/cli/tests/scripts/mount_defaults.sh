# Spec §15.3.1 (mount and defaults), §2.7 (directory population), §2.14 (/proc files).
# The memory controller is a placeholder in this issue: its memory.* files come later.
mkdir /cg
mount -t cgroup -o memory none /cg
ls -l /cg
cat /cg/notify_on_release
cat /cg/release_agent
cat /cg/cgroup.procs
cat /proc/cgroups
cat /proc/self/cgroup
cat /proc/mounts

# A hierarchy with two subsystems: the list order is descending subsys_id (§2.3.3).
mkdir /sys/fs/cgroup/cpu
mount -t cgroup -o cpu,cpuacct none /sys/fs/cgroup/cpu
ls /sys/fs/cgroup/cpu
cat /proc/self/cgroup
cat /proc/cgroups

# noprefix with cpuset alone: file names lose their "cpuset." prefix (§2.7.3).
mkdir /cs
mount -t cgroup -o cpuset,noprefix none /cs
ls /cs
