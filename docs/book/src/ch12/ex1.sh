# cgsim --kernel 6.6 run --echo docs/book/src/ch12/ex1.sh
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
echo +memory > cgroup.subtree_control
mkdir A
echo 8M > A/memory.max
echo 4M > A/memory.swap.max
echo 5M > A/memory.high
echo $$ > A/cgroup.procs
memhold 4M &
memhold 5M &
sleep 1
cat A/memory.current A/memory.swap.current
cat A/memory.events
grep -E '^(pgscan|pgsteal) ' A/memory.stat
cat A/cgroup.procs
echo $$ > cgroup.procs
echo 1 > A/cgroup.kill
wait
rmdir A
