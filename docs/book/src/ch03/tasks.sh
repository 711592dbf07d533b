# cgsim run --echo --renderer builtin --out docs/book/src/ch03/tasks docs/book/src/ch03/tasks.sh
mkdir -p /sys/fs/cgroup/cpu
mount -t cgroup -o cpu none /sys/fs/cgroup/cpu
cd /sys/fs/cgroup/cpu
mkdir A A/B
ls A
cat tasks
echo $$ > A/tasks
cat A/tasks
cat /proc/self/cgroup
sleep 1000 &
cat A/tasks
echo $! > A/B/tasks
cat /proc/$!/cgroup
cat A/B/tasks
dot sets
kill $!
wait $!
cat A/B/tasks
rmdir A
echo $$ > tasks
rmdir A/B A
