# A write to `tasks` / v1 `cgroup.procs` of an exiting task, per preset (`core.attach_exiting`):
# 2.6.35's attach_task_by_pid refuses it (ESRCH); 3.10's cgroup_attach_task skips it with
# `continue`, so a `tasks` write moves the next thread of its group; 3.19+ skip it (`goto
# next`) and the write succeeds with nothing moved. The exiting task is the zombie leader
# of `threads -x 2` (its main thread has exited, its two threads live on).
mkdir -p /cg
mount -t cgroup -o cpuset none /cg
mkdir /cg/a /cg/b
echo 0 > /cg/a/cpuset.cpus; echo 0 > /cg/a/cpuset.mems
echo 0 > /cg/b/cpuset.cpus; echo 0 > /cg/b/cpuset.mems
threads -x 2 &
p=$!
sleep 1
ls /proc/$p/task | wc -l
echo $p > /cg/a/tasks; echo "tasks: $?"
cat /cg/a/tasks | wc -l
echo $p > /cg/b/cgroup.procs; echo "cgroup.procs: $?"
cat /cg/b/tasks | wc -l
# A live thread: moved to a, then written to a's `tasks` again (already there).
t=$(ls /proc/$p/task | sed -n 2p)
echo $t > /cg/a/tasks; echo "thread: $?"
cat /cg/a/tasks | wc -l
echo $t > /cg/a/tasks; echo "again: $?"
cat /cg/a/tasks | wc -l
kill $p
