# The default hierarchy of Linux 6.6 (kernel/cgroup/cgroup.c): mount -t cgroup2, the root's
# files, cgroup.controllers and cgroup.subtree_control, a child cgroup, moving a task through
# cgroup.procs, /proc/PID/cgroup's 0:: line, and a controller moving to a v1 hierarchy.
cat /proc/self/cgroup
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
grep cgroup2 /proc/mounts
stat -f -c %t /sys/fs/cgroup
cat /proc/self/cgroup
ls /sys/fs/cgroup | grep -v '^memory\.'
cat /sys/fs/cgroup/cgroup.controllers
cat /sys/fs/cgroup/cgroup.subtree_control | wc -c
echo +memory > /sys/fs/cgroup/cgroup.subtree_control
cat /sys/fs/cgroup/cgroup.subtree_control
mkdir /sys/fs/cgroup/a
ls -l /sys/fs/cgroup/a | grep cgroup
cat /sys/fs/cgroup/a/cgroup.controllers
cat /sys/fs/cgroup/a/cgroup.type
cat /sys/fs/cgroup/a/cgroup.events
echo $$ > /sys/fs/cgroup/a/cgroup.procs
cat /proc/self/cgroup
cat /sys/fs/cgroup/a/cgroup.events
# Errors of cgroup_subtree_control_write: no such controller or no sign (EINVAL), a
# controller the parent does not give (ENOENT), tasks in a non-root cgroup (EBUSY).
echo memory > /sys/fs/cgroup/cgroup.subtree_control
echo +nosuch > /sys/fs/cgroup/cgroup.subtree_control
echo +cpuacct > /sys/fs/cgroup/cgroup.subtree_control
echo +cpu > /sys/fs/cgroup/a/cgroup.subtree_control
echo +memory > /sys/fs/cgroup/a/cgroup.subtree_control
# The no-internal-process rule: a cgroup with a domain controller enabled for its children
# takes no tasks.
echo $$ > /sys/fs/cgroup/cgroup.procs
mkdir /sys/fs/cgroup/b /sys/fs/cgroup/b/c
echo +memory > /sys/fs/cgroup/b/cgroup.subtree_control
ls /sys/fs/cgroup/b/c/memory.stat
echo $$ > /sys/fs/cgroup/b/cgroup.procs
echo $$ > /sys/fs/cgroup/b/c/cgroup.procs
cat /proc/self/cgroup
echo abc > /sys/fs/cgroup/b/c/cgroup.procs
echo -1 > /sys/fs/cgroup/b/c/cgroup.procs
echo 99999 > /sys/fs/cgroup/b/c/cgroup.procs
# A controller enabled below the root cannot go to a v1 hierarchy (rebind_subsystems: EBUSY).
mkdir /tmp/v1
mount -t cgroup -o memory none /tmp/v1
echo $$ > /sys/fs/cgroup/cgroup.procs
echo -memory > /sys/fs/cgroup/cgroup.subtree_control
echo -memory > /sys/fs/cgroup/b/cgroup.subtree_control
echo -memory > /sys/fs/cgroup/cgroup.subtree_control
mount -t cgroup -o memory none /tmp/v1
cat /sys/fs/cgroup/cgroup.controllers
cat /proc/self/cgroup
echo +memory > /sys/fs/cgroup/cgroup.subtree_control
umount /tmp/v1
cat /sys/fs/cgroup/cgroup.controllers
cat /sys/fs/cgroup/cgroup.stat
cat /proc/cgroups
rmdir /sys/fs/cgroup/b
rmdir /sys/fs/cgroup/b/c /sys/fs/cgroup/b /sys/fs/cgroup/a
ls /sys/fs/cgroup | grep -v '\.'
