# util-linux 2.38 mount(8) listing (libmount reads /proc/self/mountinfo), the kernel's
# /proc/mounts (fs/namespace.c show_vfsmnt, v2.6.35) and /proc/PID/mountinfo (show_mountinfo).
# Every mount made through mount(2) is relatime unless noatime (the default since 2.6.30);
# rootfs is mounted by the kernel itself and is not.
mount
cat /proc/mounts
mkdir -p /sys/fs/cgroup/memory /sys/fs/cgroup/cpu /mnt/t
mount -t cgroup -o memory cgroup /sys/fs/cgroup/memory
mount -t cgroup -o cpu,cpuacct,nosuid,nodev,noexec cgroup /sys/fs/cgroup/cpu
# mount(8) turns the VFS options into MS_* flags; the rest (mode=700) is the filesystem's.
mount -t tmpfs -o mode=700,noatime,defaults,sync none /mnt/t
mount
cat /proc/mounts
# -t keeps the types listed; a leading "no" negates the whole list.
mount -t cgroup
mount -t proc,tmpfs
mount -t nocgroup,rootfs
mount -t bogusfs; echo "status $?"
# show_mountinfo: id, parent id, major:minor, root, mount point, mount options, "-", type,
# source, superblock options (with the filesystem's). No optional fields: every mount is
# private, as on 2.6.35 without mount --make-shared.
cat /proc/self/mountinfo
grep cgroup /proc/$$/mountinfo
# A freed mount id and unnamed device number are the next ones handed out (mnt_alloc_id,
# get_unnamed_dev); /proc/mounts keeps the order of mounting.
umount /sys/fs/cgroup/cpu
mount -t cgroup -o cpuset none /sys/fs/cgroup/cpu
cat /proc/self/mountinfo
# strictatime clears relatime; a remount replaces the mount's flags (2.6.35).
umount /mnt/t
mount -t tmpfs -o strictatime tmpfs /mnt/t
grep /mnt/t /proc/mounts
mount -o remount,nosuid /mnt/t
grep /mnt/t /proc/mounts
# Errors: util-linux's getopt messages (status 1); a failed mount changes nothing (status 32).
mount -x; echo "status $?"
mount --bogus; echo "status $?"
mount -t; echo "status $?"
mount -t cgroup -o memory,cpuset none /mnt/t; echo "status $?"
mount -o ro -t tmpfs none /mnt; echo "status $?"
cat /proc/mounts
# libmount's words for the other failures.
mount /mnt/t; echo "status $?"
mount -t cgroup -o memory; echo "status $?"
mount -t cgroup -o memory none /nowhere; echo "status $?"
mount -t nosuchfs none /mnt; echo "status $?"
mount -t cgroup -o bogus none /mnt; echo "status $?"
umount /mnt; echo "status $?"
umount; echo "status $?"
umount -x /mnt; echo "status $?"
