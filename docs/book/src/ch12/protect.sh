# cgsim --kernel 6.6 run --echo docs/book/src/ch12/protect.sh
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
echo +memory > cgroup.subtree_control
mkdir P
echo +memory > P/cgroup.subtree_control
mkdir P/db P/web P/batch
echo 30M > P/db/memory.low
echo 10M > P/web/memory.low
for c in db web batch; do echo $$ > P/$c/cgroup.procs; memhold 40M > /dev/null & done
echo $$ > cgroup.procs
sleep 1
cat P/db/memory.current P/web/memory.current P/batch/memory.current
echo 60M > P/memory.reclaim
cat P/db/memory.current P/web/memory.current P/batch/memory.current
grep low P/*/memory.events
echo 30M > P/memory.reclaim
cat P/db/memory.current P/web/memory.current P/batch/memory.current
grep low P/*/memory.events
echo 1 > P/cgroup.kill
wait
rmdir P/db P/web P/batch P
