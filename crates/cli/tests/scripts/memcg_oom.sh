# The memcg OOM killer of 2.6.35 (mm/oom_kill.c select_bad_process, badness, oom_kill_process;
# LTP memcg_function_test.sh test_proc_kill): past the limit, with no swap left to the memsw
# limit, reclaim fails and the task with the highest badness is killed; its exit path frees its
# memory, and dmesg has the kernel's report.
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
# oom_adj steers the choice: badness() starts from the task's total_vm in pages, divides it
# by 16 for a root task (CAP_SYS_ADMIN, then CAP_SYS_RAWIO), then shifts it left by a
# positive oom_adj or right by a negative one. /proc/PID/oom_score shows that number.
echo 8M > /cg/a/memory.memsw.limit_in_bytes
echo 8M > /cg/a/memory.limit_in_bytes
memhold 3M &
big=$!
memhold 1M &
small=$!
echo 3 > /proc/$small/oom_adj
cat /proc/$small/oom_adj
cat /proc/$big/oom_score /proc/$small/oom_score
memhold 5M &
wait $small; echo "memhold $small: exit status $?"
ps -o pid,ppid,stat,rss,comm,cgroup
cat /cg/a/memory.usage_in_bytes
dmesg
# -17 (OOM_DISABLE) makes a task immune; writes outside -17..15 are EINVAL; only root may
# lower it; 2.6.35 has no oom_score_adj.
echo -17 > /proc/$big/oom_adj
echo 16 > /proc/$big/oom_adj
cat /proc/$big/oom_adj /proc/$big/oom_score
cat /proc/$big/oom_score_adj
kill $big $!
# A foreground command the OOM killer ends: the shell reports the signal as dash does.
wait
dmesg -C
memhold 16M
echo "status $?"
dmesg
