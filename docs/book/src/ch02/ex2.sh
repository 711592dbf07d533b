# cgsim run --echo docs/book/src/ch02/ex2.sh
mkdir /cg
mount -t cgroup -o none none /cg
mount -t cgroup -o none,name=mine none /cg
ls /cg
cat /proc/self/cgroup
