# An exited task keeps the cgroup it died in on Linux 6.6 (kernel/cgroup/cgroup.c cgroup_exit
# leaves tsk->cgroups and puts the task on its css_set's dying_tasks; proc_cgroup_show prints
# " (deleted)" after a removed cgroup of the default hierarchy). The exited task here is the
# leader of `threads -x 2`, a zombie while its two threads live on. Run with --kernel 6.6 by
# tests/it/cgroup2.rs.
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
mkdir a b
echo $$ > a/cgroup.procs
threads -x 2 &
p=$!
echo $$ > cgroup.procs
sleep 1
ps -o pid,stat,comm -p $p
cat /proc/$p/cgroup
cat a/cgroup.procs
# cgroup.procs moves the live threads; the exiting leader stays behind (cgroup_migrate_add_task
# skips PF_EXITING), so a is no longer populated and can go.
echo $p > b/cgroup.procs
cat a/cgroup.events
rmdir a
cat /proc/$p/cgroup
for t in /proc/$p/task/*; do cat $t/cgroup; done
# Killed, the group is a zombie until the shell waits for a child (the next external
# command would reap it, so only builtins here): cgroup.procs still finds it
# (cgroup_procs_write_start), checks the move and migrates nothing.
kill $p
echo $p > b/cgroup.procs; echo rc=$?
echo $p > b/cgroup.threads; echo rc=$?
cat b/cgroup.procs b/cgroup.events
wait
echo $p > b/cgroup.procs
