# Mount and defaults (`kernel/cgroup.c` `cgroup_get_sb`), directory population (`cgroup_populate_dir`) and the /proc files (`proc_cgroup_show`, `proc_cgroupstats_show`), v2.6.34.
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

# A hierarchy with two subsystems: the list order is descending subsys_id (`kernel/cgroup.c` `rebind_subsystems`, `cgroup_create`, `cgroup_attach_task`, v2.6.34).
mkdir /sys/fs/cgroup/cpu
mount -t cgroup -o cpu,cpuacct none /sys/fs/cgroup/cpu
ls /sys/fs/cgroup/cpu
cat /proc/self/cgroup
cat /proc/cgroups

# noprefix with cpuset alone: file names lose their "cpuset." prefix (`kernel/cgroup.c` `cgroup_add_file`, v2.6.34).
mkdir /cs
mount -t cgroup -o cpuset,noprefix none /cs
ls /cs
