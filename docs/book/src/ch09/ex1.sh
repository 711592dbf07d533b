# cgsim run --echo docs/book/src/ch09/ex1.sh
mkdir -p /cg
mount -t cgroup -o memory none /cg
mkdir /cg/A
cgroup_event_listener /cg/A/memory.usage_in_bytes lots
cgroup_event_listener /cg/A/memory.limit_in_bytes 1M
cgroup_event_listener /cg/A/memory.usage_in_bytes; echo "exit status $?"
