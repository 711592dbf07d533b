# cgsim run --echo --renderer builtin --out docs/book/src/ch04/find_css_set docs/book/src/ch04/find_css_set.sh
mkdir -p /cg/cpu /cg/memory
mount -t cgroup -o cpu none /cg/cpu
mount -t cgroup -o memory none /cg/memory
mkdir /cg/cpu/A /cg/memory/M
sleep 1000 &
first=$!
sleep 1000 &
second=$!
trace on
echo $first > /cg/cpu/A/tasks
echo $second > /cg/cpu/A/tasks
trace off
echo $first > /cg/memory/M/tasks
cat /proc/$first/cgroup /proc/$second/cgroup
dot links
trace on
echo $first > /cg/memory/tasks
trace off
dot links
