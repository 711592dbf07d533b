# cgsim --kernel 6.6 run --echo --renderer builtin --out docs/book/src/ch12/v2 docs/book/src/ch12/v2.sh
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
cat cgroup.controllers
echo +memory > cgroup.subtree_control
mkdir A
ls A | grep '^memory\.'
echo 8M > A/memory.max
echo 0 > A/memory.swap.max
echo 5M > A/memory.high
echo $$ > A/cgroup.procs
memhold 4M &
small=$!
cat A/memory.current
cat A/memory.events
memhold 5M &
hog=$!
sleep 15
cat A/memory.current
cat A/memory.events
grep -E '^(pgfault|pgscan|pgsteal) ' A/memory.stat
ps -o pid,stat,rss,comm
dmesg | grep -E 'oom-kill:|Killed process' | cut -d']' -f2-
dot v2
echo $$ > cgroup.procs
echo 1 > A/cgroup.kill
wait
cat A/cgroup.procs A/memory.current
rmdir A
cat cgroup.stat
