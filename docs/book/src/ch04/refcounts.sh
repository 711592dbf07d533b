# cgsim run --echo --renderer builtin --out docs/book/src/ch04/refcounts docs/book/src/ch04/refcounts.sh
mkdir -p /cg
mount -t cgroup -o cpu,debug none /cg
cd /cg
ps -eo pid,ppid,comm
cat debug.current_css_set_refcount
dot sets --all-subsys
mkdir A
echo $$ > A/tasks
cat A/debug.current_css_set_refcount
sleep 1000 &
cat A/debug.current_css_set_refcount
cat A/debug.taskcount A/debug.cgroup_refcount
