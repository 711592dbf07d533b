# cgsim --kernel 6.6 run --echo docs/book/src/ch12/dying.sh
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
echo +memory > cgroup.subtree_control
mkdir -p P/A
echo +memory > P/cgroup.subtree_control
echo $$ > P/A/cgroup.procs
dd if=/dev/zero of=/tmp/f bs=1M count=4 2>/dev/null
echo $$ > cgroup.procs
rmdir P/A
cat P/cgroup.stat
cat P/memory.current
grep '^file ' P/memory.stat
echo 1G > P/memory.reclaim
cat P/memory.current
cat P/cgroup.stat
