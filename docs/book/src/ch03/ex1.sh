# cgsim run --echo docs/book/src/ch03/ex1.sh
mkdir -p /cg
mount -t cgroup -o cpu none /cg
mkdir /cg/A
sh -c 'echo $$ > /cg/A/tasks; cat /proc/self/cgroup'
cat /cg/A/tasks
cat /proc/$$/cgroup
