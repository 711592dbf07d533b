# cgsim run --echo docs/book/src/ch08/ex1.sh
mkdir -p /cg
mount -t cgroup -o memory none /cg
mkdir /cg/A /cg/B
echo $$ > /cg/A/tasks
memhold 1M &
echo $! > /cg/B/tasks
cat /cg/A/memory.usage_in_bytes /cg/B/memory.usage_in_bytes
kill $!
wait $!
cat /cg/A/memory.usage_in_bytes
