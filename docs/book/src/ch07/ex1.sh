# cgsim run --echo --renderer builtin --out docs/book/src/ch07/ex1 docs/book/src/ch07/ex1.sh
mkdir -p /cg
mount -t cgroup -o memory none /cg
mkdir /cg/A
echo 16K > /cg/A/memory.limit_in_bytes
echo 16K > /cg/A/memory.memsw.limit_in_bytes
echo 1 > /cg/A/memory.oom_control
echo $$ > /cg/A/tasks
memhold 20K &
ps -o pid,stat,rss,comm,cgroup
cat /cg/A/memory.oom_control
dot memcg
echo 32K > /cg/A/memory.memsw.limit_in_bytes
echo 32K > /cg/A/memory.limit_in_bytes
ps -o pid,stat,rss,comm,cgroup
grep Vm /proc/$!/status
kill $!
wait $!; echo "memhold: exit status $?"
