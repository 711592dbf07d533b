# cgsim run --echo --renderer builtin --out docs/book/src/ch06/memory docs/book/src/ch06/memory.sh
mkdir -p /sys/fs/cgroup/memory
mount -t cgroup -o memory none /sys/fs/cgroup/memory
cd /sys/fs/cgroup/memory
mkdir A
ls A
echo 4M > A/memory.limit_in_bytes
cat A/memory.limit_in_bytes A/memory.memsw.limit_in_bytes
echo $$ > A/tasks
memhold 1M &
cat A/memory.usage_in_bytes A/memory.max_usage_in_bytes A/memory.failcnt
kill $!
wait $!
cat A/memory.usage_in_bytes A/memory.max_usage_in_bytes A/memory.failcnt
memhold 6M &
cat A/memory.usage_in_bytes A/memory.memsw.usage_in_bytes A/memory.failcnt
head -n 8 A/memory.stat
dot memcg
echo 0 > A/memory.max_usage_in_bytes
echo 0 > A/memory.failcnt
cat A/memory.max_usage_in_bytes A/memory.failcnt
echo 1M > A/memory.memsw.limit_in_bytes; echo "exit status $?"
