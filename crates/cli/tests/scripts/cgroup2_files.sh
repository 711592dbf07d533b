# The rest of 6.6's cgroup_base_files[] and the delegation rule of cgroup.procs
# (kernel/cgroup/cgroup.c, v6.6).
mkdir -p /sys/fs/cgroup
mount -t cgroup2 -o nsdelegate,memory_recursiveprot none /sys/fs/cgroup
grep cgroup2 /proc/mounts
mount -o remount /sys/fs/cgroup
grep cgroup2 /proc/mounts
mount -t cgroup2 -o noprefix none /sys/fs/cgroup
cd /sys/fs/cgroup
# cgroup.max.depth and cgroup.max.descendants: mkdir past either is EAGAIN.
cat cgroup.max.depth cgroup.max.descendants
mkdir a
echo 1 > a/cgroup.max.depth
mkdir a/b
mkdir a/b/c
echo 1 > a/cgroup.max.descendants
mkdir a/b2
echo max > a/cgroup.max.descendants
mkdir a/b2
cat a/cgroup.max.depth a/cgroup.max.descendants cgroup.stat a/cgroup.stat
echo -1 > a/cgroup.max.depth
echo 0x10 > a/cgroup.max.depth
cat a/cgroup.max.depth
echo lots > a/cgroup.max.depth
echo 99999999999 > a/cgroup.max.depth
# cgroup.type: only "threaded" may be written (threaded mode: cgroup2_threaded.sh).
cat a/cgroup.type
echo domain > a/cgroup.type
# cgroup.threads: a thread cannot leave its domain.
echo $$ > a/b/cgroup.threads
echo $$ > a/b/cgroup.procs
echo $$ > a/b/cgroup.threads
cat a/b/cgroup.threads
echo $$ > cgroup.procs
# cgroup.freeze and cgroup.kill.
sleep 100 &
echo $! > a/b2/cgroup.procs
echo 1 > a/cgroup.freeze
cat a/cgroup.freeze a/b2/cgroup.freeze a/b2/cgroup.events
echo 2 > a/cgroup.freeze
echo x > a/cgroup.freeze
echo 0 > a/cgroup.freeze
cat a/b2/cgroup.events
echo 0 > a/cgroup.kill
echo 1 > a/cgroup.kill
wait
cat a/b2/cgroup.events a/b2/cgroup.procs
cat a/cgroup.kill
cat cpu.stat a/cpu.stat.local | wc -c
# Delegation: user 1000 owns d; it may move its processes between d's children, whose common
# ancestor's cgroup.procs it can write, but not out of the root (cgroup_procs_write_permission).
mkdir d d/x d/y
chown 1000:1000 d d/cgroup.procs d/x/cgroup.procs d/y/cgroup.procs
echo $$ > d/x/cgroup.procs
setpriv --reuid=1000 --regid=1000 --clear-groups sh -c 'echo $$ > /sys/fs/cgroup/d/y/cgroup.procs; cat /proc/self/cgroup'
setpriv --reuid=1000 --regid=1000 --clear-groups sh -c 'echo 0 > /sys/fs/cgroup/d/y/cgroup.procs; cat /proc/self/cgroup'
echo $$ > cgroup.procs
setpriv --reuid=1000 --regid=1000 --clear-groups sh -c 'echo 0 > /sys/fs/cgroup/d/y/cgroup.procs; cat /proc/self/cgroup'
ls -l d | grep procs
cd /
rmdir /sys/fs/cgroup/d/x /sys/fs/cgroup/d/y /sys/fs/cgroup/d /sys/fs/cgroup/a/b /sys/fs/cgroup/a/b2 /sys/fs/cgroup/a
cat /sys/fs/cgroup/cgroup.stat
umount /sys/fs/cgroup
cat /proc/self/cgroup
