# cgsim run --echo docs/book/src/ch06/ex1.sh
mkdir -p /cg
mount -t cgroup -o memory none /cg
mkdir /cg/A
echo 1000 > /cg/A/memory.limit_in_bytes
cat /cg/A/memory.limit_in_bytes
echo 5k > /cg/A/memory.limit_in_bytes
cat /cg/A/memory.limit_in_bytes
