# cgsim run --echo docs/book/src/ch05/callbacks.sh
mkdir -p /cg
mount -t cgroup -o cpu,cpuacct,memory,debug none /cg
cat /proc/cgroups
trace on
mkdir /cg/A
echo $$ > /cg/A/tasks
sleep 1000 &
echo $$ > /cg/tasks
rmdir /cg/A
trace off
# picture: the chapter draws the object graph as it is now
