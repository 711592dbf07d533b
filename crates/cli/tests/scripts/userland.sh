# The tools of each preset's distribution (docs/profiles.md, "The userland"): util-linux-ng
# 2.17.2 and procps 3.2.8 (RHEL 6) on 2.6.25 and 2.6.35, util-linux 2.23.2 and procps-ng
# 3.3.10 (RHEL 7) on 3.10 and 3.19, util-linux 2.38.1 and procps-ng 4.0.2 (Debian 12) on 4.19
# and 6.6: versions, mount's listing (2.17 lists /etc/mtab as mount(8) wrote it), its error
# messages and statuses, umount's, and ps's cgroup column (3.2.8: SUBSYS:PATH of every
# hierarchy joined by ';'; procps-ng: ID:SUBSYS:PATH of the non-root ones joined by ',').
mount -V
umount -V
ps --version
ls -d /cgroup /etc/mtab
cat /proc/filesystems
mkdir -p /cgtest/cpu_and_mem /cgtest2
mount -t cgroup -o cpu,cpuacct,memory cpu_and_mem /cgtest/cpu_and_mem
mount -t cgroup
mount -t cgroup -o remount,cpu,memory cpu_and_mem /cgtest/cpu_and_mem
mount -t cgroup
mount -t cgroup -o cpu,memory cpu_and_mem /cgtest/cpu_and_mem; echo "status $?"
mount -t cgroup -o memory none /nonexistent; echo "status $?"
mount -t cgroup -o nosuchsubsys none /cgtest2; echo "status $?"
mount -t cgroup2 none /cgtest2 && umount /cgtest2; echo "status $?"
mount -t cgroup -o remount,cpu,memory,bogus cpu_and_mem /cgtest/cpu_and_mem; echo "status $?"
mount -o remount,cpu /nonexistent; echo "status $?"
mount -t cgroup /cgtest2 2>&1 | head -1; echo "status $?"
mount --bogus 2>&1 | head -1
mkdir /cgtest/cpu_and_mem/group1
echo $$ > /cgtest/cpu_and_mem/group1/tasks
ps -O cgroup
ps -o pid,cgroup,comm
ps -o pid,nosuch 2>&1 | head -1
# Blogs' `ps -aux`: the SysV reading fails (no user "x"), the BSD one is `ps aux`; 3.2.8 warns.
ps -aux 2>&1 | head -3
echo $$ > /cgtest/cpu_and_mem/tasks
rmdir /cgtest/cpu_and_mem/group1
cd /cgtest/cpu_and_mem
umount /cgtest/cpu_and_mem; echo "status $?"
cd /
umount /cgtest/cpu_and_mem; echo "status $?"
umount /cgtest/cpu_and_mem; echo "status $?"
mount -t cgroup; echo "status $?"
