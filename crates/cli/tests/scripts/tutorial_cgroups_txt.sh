# Documentation/cgroups/cgroups.txt (v2.6.35) sections 1.5 and 2.1, pasted verbatim: the
# "Charlie" cpuset job (this machine has CPUs 0-1 and memory node 0, so `2-3` and `1` are
# refused as the kernel refuses them), mounting with all subsystems, remount, release_agent,
# and attaching the shell. `/bin/echo` is coreutils' program, not the shell's builtin.
mkdir /dev/cgroup
mount -t cgroup cpuset -ocpuset /dev/cgroup
cd /dev/cgroup
mkdir Charlie
cd Charlie
/bin/echo 2-3 > cpuset.cpus
/bin/echo 1 > cpuset.mems
/bin/echo 0-1 > cpuset.cpus
/bin/echo 0 > cpuset.mems
/bin/echo $$ > tasks
sh -c 'cat /proc/self/cgroup'
cd /
/bin/echo $$ > /dev/cgroup/tasks
rmdir /dev/cgroup/Charlie
umount /dev/cgroup
mount -t cgroup xxx /dev/cgroup
grep xxx /proc/mounts
umount /dev/cgroup
mount -t cgroup -o cpuset,memory hier1 /dev/cgroup
mount -o remount,cpuset,ns hier1 /dev/cgroup
# util-linux-ng 2.17 (the 2.6.35 preset's mount) finds the directory in /etc/mtab and adds the
# options recorded there ("rw,remount,cpuset,ns"), so cpuset stays bound (mount.c getfs case D).
mount -o remount,ns /dev/cgroup
grep hier1 /proc/mounts
umount /dev/cgroup
mount -t cgroup -o cpuset,release_agent="/sbin/cpuset_release_agent" \
  xxx /dev/cgroup
cat /dev/cgroup/release_agent
echo "/sbin/new_release_agent" > /dev/cgroup/release_agent
cat /dev/cgroup/release_agent
cd /dev/cgroup
mkdir my_cgroup
cd my_cgroup
ls
/bin/echo $$ > tasks
mkdir my_sub_cs
rmdir my_sub_cs
echo 0 > tasks
# coreutils' echo itself: no escapes without -e, options only of n/e/E letters.
/bin/echo 'a\tb'
/bin/echo -e 'a\tb\c' dropped; echo
/bin/echo -x -n
/bin/echo --version | head -1
