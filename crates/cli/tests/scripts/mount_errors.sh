# `kernel/cgroup.c` `cgroup_test_super`, `rebind_subsystems`, `cgroup_get_sb`, v2.6.34: every mount/umount errno a user can hit from the shell.
mkdir /a /b /c /d /e /f /g
mount -t cgroup -o memory none /a
# The same options again: another view of the same hierarchy.
mount -t cgroup -o memory none /b
mkdir /a/X
ls /b
# memory is bound already, so a new hierarchy cannot take it: EBUSY.
mount -t cgroup -o memory,cpu none /c
# Unknown subsystem: ENOENT.
mount -t cgroup -o bogus none /c
# An empty option is EINVAL in the kernel, but mount(8) never passes one: libmount skips
# consecutive commas, so the kernel gets memory,cpu, and memory is bound already: EBUSY.
mount -t cgroup -o memory,,cpu none /c
# noprefix with anything but cpuset alone: EINVAL (2.6.31+).
mount -t cgroup -o noprefix,memory none /c
# none without a name, or none with subsystems: EINVAL.
mount -t cgroup -o none none /c
mount -t cgroup -o none,cpu none /c
# A named hierarchy without subsystems, then a second view by name alone.
mount -t cgroup -o none,name=demo none /c
mount -t cgroup -o name=demo none /d
# A new hierarchy whose name is taken: EBUSY.
mount -t cgroup -o cpu,name=demo none /e
# A name that does not exist yet and no subsystems: EINVAL.
mount -t cgroup -o name=other none /e
# The mount point must exist: ENOENT; an unknown filesystem type: ENODEV.
mount -t cgroup -o cpu none /nowhere
mount -t nosuchfs none /e
# Only root mounts: EPERM.
setpriv --reuid=1000 mount -t cgroup -o cpu none /e
# Remount: with children the hierarchy cannot be rebound (EBUSY, `kernel/cgroup.c` `rebind_subsystems`, v2.6.34); a non-mount: EINVAL.
mount -o remount,memory /a
mount -o remount,cpu /f
cat /proc/mounts
# umount: the hierarchy with a child cgroup lingers invisibly (`kernel/cgroup.c` `cgroup_kill_sb`, v2.6.34).
umount /b
umount /a
cat /proc/cgroups
umount /a
umount /nowhere
mount -t cgroup -o memory none /g
ls /g
