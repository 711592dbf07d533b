# cgsim run --echo --renderer builtin --out docs/book/src/ch08/swap docs/book/src/ch08/swap.sh
mkdir -p /cg
mount -t cgroup -o memory none /cg
cd /cg
mkdir A B
echo 4M > A/memory.limit_in_bytes
echo $$ > A/tasks
memhold 6M &
hold=$!
cat A/memory.usage_in_bytes A/memory.memsw.usage_in_bytes
grep swap A/memory.stat
ps -o pid,stat,rss,comm,cgroup
grep VmSwap /proc/$hold/status
echo 1 > B/memory.move_charge_at_immigrate
echo $hold > B/tasks
cat A/memory.memsw.usage_in_bytes B/memory.usage_in_bytes B/memory.memsw.usage_in_bytes
dot memcg
dd if=/dev/zero of=/tmp/file bs=16K count=1 status=none
cat A/memory.usage_in_bytes
grep cache A/memory.stat
echo $$ > tasks
echo 0 > A/memory.force_empty
cat A/memory.usage_in_bytes memory.usage_in_bytes
rmdir A
kill $hold
wait $hold; echo "memhold: exit status $?"
