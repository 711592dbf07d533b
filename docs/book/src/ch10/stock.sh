# cgsim run --echo --renderer builtin --out docs/book/src/ch10/stock docs/book/src/ch10/stock.sh
mkdir -p /cg
mount -t cgroup -o memory none /cg
mkdir /cg/A
echo $$ > /cg/A/tasks
trace on
memhold 8K &
trace off
cat /cg/A/memory.usage_in_bytes
dot memcg
