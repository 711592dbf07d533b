# Threads on a v1 hierarchy (kernel/cgroup.c v2.6.35): `tasks` lists and moves thread ids,
# `cgroup.procs` lists the thread-group ids of every thread there (sorted, without repeats)
# and is read-only before 3.0. `threads N` is cgsim's program that starts N threads.
mkdir -p /cgroup/memory
mount -t cgroup -o memory none /cgroup/memory
cd /cgroup/memory
mkdir a
ls -l a/tasks a/cgroup.procs
threads 2 &
pid=$!
ls /proc/$pid/task
# One thread moves; its process now shows in both cgroups' cgroup.procs.
echo $((pid + 1)) > a/tasks
cat a/tasks
cat a/cgroup.procs
grep -c "^$pid\$" cgroup.procs
cat /proc/$pid/task/$((pid + 1))/cgroup /proc/$pid/cgroup
# 2.6.35's cgroup.procs takes no writes (root may open it; the write is EINVAL).
echo $pid > a/cgroup.procs
kill $pid
wait $pid
cat a/tasks
