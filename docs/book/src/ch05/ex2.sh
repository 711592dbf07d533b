# cgsim run --echo docs/book/src/ch05/ex2.sh
mkdir -p /cg
mount -t cgroup -o memory,cpuset none /cg
trace -f '*_create'
trace on
mkdir /cg/A
trace off
