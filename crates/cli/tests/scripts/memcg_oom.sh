# The memcg OOM killer (spec §8.3, §8.7; LTP memcg_function_test.sh test_proc_kill): past the
# limit, with no swap left to the memsw limit, reclaim fails and the task with the highest
# badness is killed; its exit path frees its memory, and dmesg has the kernel's lines.
mkdir /cg
mount -t cgroup -o memory none /cg
mkdir /cg/a
echo 1M > /cg/a/memory.limit_in_bytes
echo 1M > /cg/a/memory.memsw.limit_in_bytes
echo $$ > /cg/a/tasks
dmesg -C
memcg_process --mmap-anon -s 4194304 &
pid=$!
kill -USR1 $pid
wait $pid; echo "memcg_process: exit status $?"
cat /cg/a/memory.usage_in_bytes
cat /cg/a/memory.failcnt
dmesg
# oom_score_adj steers the choice: oom_score_adj x (limit in pages / 1000) is added to a
# task's resident pages, so it counts from a 4 MiB limit up (below, the division gives 0).
echo 8M > /cg/a/memory.memsw.limit_in_bytes
echo 8M > /cg/a/memory.limit_in_bytes
memhold 3M &
big=$!
memhold 1M &
small=$!
echo 1000 > /proc/$small/oom_score_adj
cat /proc/$small/oom_score_adj
memhold 5M &
wait $small; echo "memhold $small: exit status $?"
ps -o pid,ppid,stat,rss,comm,cgroup
cat /cg/a/memory.usage_in_bytes
dmesg
# -1000 makes a task immune; writes outside -1000..1000 are EINVAL; only root may lower it.
echo -1000 > /proc/$big/oom_score_adj
echo 1001 > /proc/$big/oom_score_adj
cat /proc/$big/oom_score_adj
kill $big $!
# A foreground command the OOM killer ends: the shell reports the signal as dash does.
wait
dmesg -C
memhold 16M
echo "status $?"
dmesg
