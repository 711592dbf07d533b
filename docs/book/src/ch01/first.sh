# cgsim run --echo docs/book/src/ch01/first.sh
pwd
ls /
cat /proc/cgroups
cat /proc/self/cgroup
which mount
echo $$
ps
# picture: the chapter draws the object graph as it is now
