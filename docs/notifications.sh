# cgsim notifications walkthrough: a memory threshold, an OOM notification and the goodbye at
# rmdir, with the kernel's reference listener (tools/cgroup/cgroup_event_listener.c) on a
# simulated Linux 2.6.35.
# `cgsim run --echo docs/notifications.sh` runs it; docs/notifications.md explains each step.
# `cgsim tour --notifications` runs it and writes the pictures its `dot` commands take, with an
# index.html, into ./notifications.

# Mount the memory controller and make a cgroup with an 8 MiB limit on memory and on
# memory+swap (so that going over the limit cannot be solved by swapping).
mkdir -p /sys/fs/cgroup/memory
mount -t cgroup -o memory none /sys/fs/cgroup/memory
cd /sys/fs/cgroup/memory
mkdir A
echo 8M > A/memory.limit_in_bytes
echo 8M > A/memory.memsw.limit_in_bytes

# A listener on a 5 MiB threshold of memory.usage_in_bytes. It opens the control file, opens
# A/cgroup.event_control, creates an eventfd and writes "<efd> <cfd> 5M" plus a NUL byte to
# cgroup.event_control; then it sleeps in read(2) on the eventfd (state S).
trace on
cgroup_event_listener /sys/fs/cgroup/memory/A/memory.usage_in_bytes 5M &
trace off
threshold=$!
ps -o pid,ppid,stat,rss,comm,cgroup

# Two LTP memcg_process instances in A: 4 MiB stays under the threshold, 2 MiB more crosses
# it upwards, freeing those 2 MiB crosses it downwards. One line per crossing.
memcg_process --mmap-anon -s 4194304 &
small=$!
echo $small > A/tasks
kill -USR1 $small
cat A/memory.usage_in_bytes
memcg_process --mmap-anon -s 2097152 &
big=$!
echo $big > A/tasks
kill -USR1 $big
cat A/memory.usage_in_bytes
# A second listener, on 7 MiB: the threshold array holds both thresholds, sorted, and the
# usage (6 MiB) sits between them. Killing the listener closes its eventfd, and the kernel
# removes its threshold again (the eventfd's POLLHUP).
cgroup_event_listener /sys/fs/cgroup/memory/A/memory.usage_in_bytes 7M &
second=$!
dot memcg --focus /A
kill $second
wait $second
kill -USR1 $big
cat A/memory.usage_in_bytes
kill -INT $big
wait $big

# OOM notification: with the OOM killer disabled, a task that hits the limit sleeps (state D)
# and the task that takes the memcg's OOM lock signals every eventfd registered on
# memory.oom_control. The second argument ("oom") is ignored by oom_control.
echo 1 > A/memory.oom_control
cgroup_event_listener /sys/fs/cgroup/memory/A/memory.oom_control oom &
oom=$!
memcg_process --mmap-anon -s 5242880 &
hog=$!
echo $hog > A/tasks
kill -USR1 $hog
cat A/memory.oom_control
ps -o pid,ppid,stat,rss,comm,cgroup
# Two listeners registered on A (a threshold and the OOM notifier), each reading its eventfd;
# and A under OOM with the hog asleep on its wait queue, the threshold array below it.
dot events
dot memcg --focus /A

# A user-space OOM handler would now raise the limit (memsw first: it may not be below the
# memory limit). The sleeping task wakes up, finishes its allocation, and under_oom is 0.
echo 16M > A/memory.memsw.limit_in_bytes
echo 16M > A/memory.limit_in_bytes
cat A/memory.oom_control
cat A/memory.usage_in_bytes A/memory.memsw.usage_in_bytes

# Everything goes away: usage drops below 5 MiB again. What is left is the per-CPU stock:
# 2.6.35 charges 32 pages at a time and keeps the unused rest charged until it is drained.
kill -INT $hog
wait $hog
kill -INT $small
wait $small
cat A/memory.usage_in_bytes

# rmdir signals every event registered on A once, after the directory is gone. The listeners
# read 1 like a notification, find that cgroup.event_control is gone (access(2) fails with
# ENOENT), say goodbye and exit with status 0.
rmdir A
wait $threshold; echo "threshold listener: exit status $?"
wait $oom; echo "oom listener: exit status $?"
