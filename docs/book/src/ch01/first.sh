# cgsim run --echo --renderer builtin --out docs/book/src/ch01/first docs/book/src/ch01/first.sh
pwd
ls /
cat /proc/cgroups
dot all --all-subsys
cat /proc/self/cgroup
which mount
echo $$
ps -eo pid,ppid,stat,comm,cgroup
