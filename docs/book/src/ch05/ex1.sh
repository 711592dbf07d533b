# cgsim run --echo docs/book/src/ch05/ex1.sh
mkdir -p /cg
mount -t cgroup -o ns none /cg
trace on
mkdir /cg/A
trace off
