# cgsim run --echo --renderer builtin --out docs/book/src/ch09/notify docs/book/src/ch09/notify.sh
mkdir -p /cg
mount -t cgroup -o memory none /cg
mkdir /cg/A
echo 8M > /cg/A/memory.limit_in_bytes
echo 8M > /cg/A/memory.memsw.limit_in_bytes
echo 1 > /cg/A/memory.oom_control
cgroup_event_listener /cg/A/memory.usage_in_bytes 5M &
cgroup_event_listener /cg/A/memory.oom_control oom &
echo $$ > /cg/A/tasks
memhold 4M &
small=$!
memhold 5M &
hog=$!
dot events
ps -eo pid,stat,rss,comm,cgroup
cat /cg/A/memory.oom_control
cat /cg/A/memory.usage_in_bytes /cg/A/memory.memsw.usage_in_bytes
echo 16M > /cg/A/memory.memsw.limit_in_bytes
cat /cg/A/memory.usage_in_bytes /cg/A/memory.memsw.usage_in_bytes
grep swap /cg/A/memory.stat
echo 16M > /cg/A/memory.limit_in_bytes
ps -o pid,stat,rss,comm,cgroup
grep VmSwap /proc/$small/status
cat /cg/A/memory.usage_in_bytes /cg/A/memory.memsw.usage_in_bytes
dot memcg
echo $$ > /cg/tasks
kill $small $hog
wait $small $hog
rmdir /cg/A
wait
