# cgsim run --echo --renderer builtin --out docs/book/src/ch05/callbacks docs/book/src/ch05/callbacks.sh
mkdir -p /cg
mount -t cgroup -o cpu,cpuacct,memory,debug none /cg
cat /proc/cgroups
trace on
mkdir /cg/A
echo $$ > /cg/A/tasks
sleep 1000 &
dot css
echo $$ > /cg/tasks
rmdir /cg/A
trace off
