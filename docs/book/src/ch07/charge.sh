# cgsim run --echo --renderer builtin --out docs/book/src/ch07/charge docs/book/src/ch07/charge.sh
mkdir -p /cg
mount -t cgroup -o memory none /cg
mkdir /cg/A
echo 16K > /cg/A/memory.limit_in_bytes
echo 16K > /cg/A/memory.memsw.limit_in_bytes
echo $$ > /cg/A/tasks
trace on
memhold 20K &
trace off
wait $!; echo "memhold: exit status $?"
dmesg
cat /cg/A/memory.failcnt
dot memcg
