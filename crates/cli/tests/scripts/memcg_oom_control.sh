# oom_control without the listener (`mm/memcontrol.c` `mem_cgroup_handle_oom`, `mem_cgroup_oom_notify`, `memcg_oom_recover`, v2.6.35): with oom_kill_disable the task that
# hits the limit sleeps on the memcg OOM wait queue (state D) and under_oom is 1; raising the
# limit (memcg_oom_recover) wakes it, it retries its fault and under_oom goes back to 0.
mkdir /cg
mount -t cgroup -o memory none /cg
mkdir /cg/a
echo 1M > /cg/a/memory.limit_in_bytes
echo 1M > /cg/a/memory.memsw.limit_in_bytes
echo 1 > /cg/a/memory.oom_control
cat /cg/a/memory.oom_control
echo $$ > /cg/a/tasks
memhold 2M &
pid=$!
ps -o pid,ppid,stat,rss,comm,cgroup
cat /cg/a/memory.oom_control
cat /proc/$pid/status
# Raising the limits wakes the task (memsw first: it must stay >= limit).
echo 4M > /cg/a/memory.memsw.limit_in_bytes
echo 4M > /cg/a/memory.limit_in_bytes
ps -o pid,ppid,stat,rss,comm,cgroup
cat /cg/a/memory.oom_control
cat /cg/a/memory.usage_in_bytes
kill $pid
wait $pid; echo "memhold: exit status $?"
# A foreground allocation that must wait does not hang the script (limits go down in the
# other order: memsw may not go below the memory limit).
echo 1M > /cg/a/memory.limit_in_bytes
echo 1M > /cg/a/memory.memsw.limit_in_bytes
memhold 2M
ps -o pid,ppid,stat,rss,comm,cgroup
# SIGKILL ends the wait; re-enabling the OOM killer (oom_control 0) would have woken it too.
kill -9 $!
wait $!; echo "memhold: exit status $?"
cat /cg/a/memory.oom_control
echo 0 > /cg/a/memory.oom_control
cat /cg/a/memory.oom_control
# The shell's own write under OOM: the memcg is full of anonymous memory that cannot be swapped,
# so writing a file cannot get a page-cache page. The kernel would put the shell to sleep
# (the terminal hangs); cgsim says so, gives the wait up, and the write wrote nothing.
echo 1 > /cg/a/memory.oom_control
memhold 1M &
hog=$!
echo "some data" > /tmp/data
echo "status $?"
ls -l /tmp
cat /cg/a/memory.oom_control
ps -o pid,ppid,stat,rss,comm,cgroup
kill $hog
wait $hog
echo "some data" > /tmp/data
cat /tmp/data
