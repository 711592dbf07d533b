# The charge path of a page fault with kernel function names (`mm/memcontrol.c` `__mem_cgroup_try_charge`, `mem_cgroup_handle_oom`, `mem_cgroup_oom_lock`, v2.6.34–v2.6.35): one page fits,
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
