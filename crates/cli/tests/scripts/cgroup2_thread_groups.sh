# Thread groups on the default hierarchy (kernel/cgroup/cgroup.c v6.6): cgroup.procs moves a
# whole process, cgroup.threads one thread inside its domain; /proc/PID/task/TID; the exit of
# the leader before its threads. `threads N` is cgsim's program that starts N threads.
# Run with --kernel 6.6 by tests/it/cgroup2.rs.
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
mkdir -p dom/a dom/b other
echo threaded > dom/a/cgroup.type
echo threaded > dom/b/cgroup.type
threads 3 &
pid=$!
# /proc lists processes; each thread has a directory under the process's task/.
ls /proc/$pid/task
ls /proc | grep -c "^$pid\$"
grep -E '^(Tgid|Pid)' /proc/$pid/task/$((pid + 2))/status
ps
# Any thread's id written to cgroup.procs moves its whole process (the group leader's).
echo $((pid + 2)) > dom/a/cgroup.procs
cat dom/a/cgroup.threads
cat dom/cgroup.procs
# One thread moves alone inside the domain; /proc/PID/task/TID/cgroup shows where it is.
echo $((pid + 1)) > dom/b/cgroup.threads
cat dom/a/cgroup.threads dom/b/cgroup.threads
cat /proc/$pid/task/$((pid + 1))/cgroup /proc/$pid/cgroup
# A threaded cgroup's cgroup.procs cannot be read; a thread cannot leave its domain alone.
cat dom/b/cgroup.procs
echo $((pid + 1)) > other/cgroup.threads
# Written to cgroup.procs, the same thread id takes its whole process there.
echo $((pid + 1)) > other/cgroup.procs
cat other/cgroup.threads
cat dom/cgroup.events
kill $pid
wait $pid
echo "status $?"
cat other/cgroup.events
# threads -x: the main thread exits first (pthread_exit), here in the root cgroup. The leader
# is a zombie the shell cannot reap yet; it stays on the cgroup.procs of the cgroup it died in
# (the root) while its threads live, and cgroup.threads lists only the live threads.
threads -x 2 &
pid=$!
ps
grep "^$pid$" cgroup.procs
grep State /proc/$pid/status
ls /proc/$pid/task
# The group still moves by its leader's pid: the live threads go, the dead leader stays.
echo $pid > other/cgroup.procs
cat other/cgroup.threads
cat other/cgroup.procs
grep "^$pid$" cgroup.procs
cat other/cgroup.events
# A signal to the process ends its last threads; the leader is reaped with the group's status.
kill -9 $pid
wait $pid
echo "status $?"
grep "^$pid$" cgroup.procs
cat other/cgroup.events
rmdir dom/a dom/b dom other
