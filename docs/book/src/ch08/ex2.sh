# cgsim run --echo docs/book/src/ch08/ex2.sh
mkdir -p /cg
mount -t cgroup -o memory none /cg
mkdir /cg/A
echo $$ > /cg/A/tasks
echo 0 > /cg/A/memory.force_empty
echo "exit status $?"
