# A task asleep in the memcg OOM wait ends on any fatal signal, not only SIGKILL: the wait is
# TASK_KILLABLE (`mm/memcontrol.c` `mem_cgroup_handle_oom`, v2.6.35; `mem_cgroup_oom_synchronize`,
# v4.19), and `kernel/signal.c` `complete_signal` makes a signal whose default action kills and
# that has no handler (`sig_fatal`) a group SIGKILL, so `fatal_signal_pending` wakes the
# sleeper. A signal the program catches stays pending while it sleeps.
mkdir /cg
mount -t cgroup -o memory none /cg
mkdir /cg/a
echo 1M > /cg/a/memory.limit_in_bytes
echo 1M > /cg/a/memory.memsw.limit_in_bytes
echo 1 > /cg/a/memory.oom_control
echo $$ > /cg/a/tasks
memhold 2M &
pid=$!
ps -o pid,stat,comm
cat /cg/a/memory.oom_control
kill -TERM $pid
ps -o pid,stat,comm
wait $pid; echo "memhold: exit status $?"
cat /cg/a/memory.oom_control
cat /cg/a/memory.usage_in_bytes
# memcg_process catches SIGUSR1 and SIGINT: SIGUSR1 starts its allocation, which must wait;
# SIGINT, caught, does not end the wait; SIGHUP (default action: terminate) does.
memcg_process --mmap-anon -s 2097152 &
p=$!
kill -USR1 $p
ps -o pid,stat,comm
kill -INT $p
ps -o pid,stat,comm
cat /cg/a/memory.oom_control
kill -HUP $p
ps -o pid,stat,comm
wait $p; echo "memcg_process: exit status $?"
cat /cg/a/memory.oom_control
