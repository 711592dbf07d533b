# cgsim --set memcg.stock_pages=0 run --echo docs/book/src/ch10/ex1.sh
mkdir -p /cg
mount -t cgroup -o memory none /cg
mkdir /cg/A
echo $$ > /cg/A/tasks
memhold 8K &
cat /cg/A/memory.usage_in_bytes
