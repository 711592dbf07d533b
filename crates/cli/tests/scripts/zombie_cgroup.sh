# A zombie's /proc/PID/cgroup and the cgroup files (kernel/cgroup/cgroup.c proc_cgroup_show,
# cgroup_exit, v6.6): on a v1 hierarchy an exiting task (PF_EXITING) shows /; on the default
# hierarchy it keeps the cgroup it died in, with " (deleted)" once that cgroup is removed,
# which its css_set keeps dying (nr_dying_descendants) until the zombie is reaped. No
# cgroup.procs or tasks file lists a zombie. (2.6.35's cgroup_exit moves the task to
# init_css_set: / everywhere; it has no default hierarchy.)
mkdir -p /cg /sys/fs/cgroup
mount -t cgroup -o cpu none /cg
mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null
mkdir /cg/a /sys/fs/cgroup/b
# The child forks a process that exits at once and then becomes sleep, which never reaps it.
sh -c 'echo $$ > /cg/a/tasks; echo $$ > /sys/fs/cgroup/b/cgroup.procs 2>/dev/null; true & echo $! > /tmp/z; exec sleep 3' &
sleep 1
s=$!
z=$(cat /tmp/z)
grep State /proc/$z/status
cat /proc/$z/cgroup
cat /proc/$s/cgroup
test "$(cat /cg/a/tasks)" = $s && echo "a/tasks: only the sleep"
test "$(cat /cg/a/cgroup.procs)" = $s && echo "a/cgroup.procs: only the sleep"
grep -qx $z /cg/tasks || echo "the zombie is in no tasks file"
echo $s > /sys/fs/cgroup/cgroup.procs 2>/dev/null
rmdir /sys/fs/cgroup/b && cat /proc/$z/cgroup /sys/fs/cgroup/cgroup.stat
wait
cat /sys/fs/cgroup/cgroup.stat 2>/dev/null
cat /proc/$z/cgroup
