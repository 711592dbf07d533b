# cgsim --kernel 6.6 run --echo docs/book/src/ch12/threads.sh
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
mkdir -p web/workers web/io
echo threaded > web/workers/cgroup.type
echo threaded > web/io/cgroup.type
cat web/cgroup.type web/workers/cgroup.type
threads 2 &
pid=$!
ls /proc/$pid/task
echo $pid > web/workers/cgroup.procs
echo $((pid + 2)) > web/io/cgroup.threads
grep . web/workers/cgroup.threads web/io/cgroup.threads
cat /proc/$pid/task/$((pid + 2))/cgroup
cat web/cgroup.procs
cat web/io/cgroup.procs
mkdir other
echo $((pid + 2)) > other/cgroup.threads
echo $((pid + 2)) > other/cgroup.procs
cat other/cgroup.threads
kill $pid
