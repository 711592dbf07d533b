# cgsim run --echo docs/book/src/ch04/ex1.sh
mkdir -p /cg
mount -t cgroup -o cpu,debug none /cg
mkdir /cg/A
sleep 1000 &
echo $! > /cg/A/tasks
trace on
kill $!
wait $!
trace off
cat /cg/A/debug.taskcount /cg/A/debug.cgroup_refcount
