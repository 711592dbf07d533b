# The charge path of a page fault with kernel function names (spec §7.4, §8.3): one page fits,
# the second one hits the limit, reclaim finds nothing to take (no swap left to the memsw
# limit), and the memcg OOM killer ends the process.
# The whole call tree, unfolded (`trace --summary off`), as the trace file shows it.
trace --summary off
mkdir /cg
mount -t cgroup -o memory none /cg
mkdir /cg/a
echo 4K > /cg/a/memory.limit_in_bytes
echo 4K > /cg/a/memory.memsw.limit_in_bytes
echo $$ > /cg/a/tasks
memcg_process --mmap-anon -s 8192 &
pid=$!
dmesg -C
trace on
kill -USR1 $pid
trace off
wait $pid; echo "memcg_process: exit status $?"
dmesg
