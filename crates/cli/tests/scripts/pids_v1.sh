# The pids controller on a v1 hierarchy (kernel/cgroup/pids.c, 4.3+; run on 4.19 and 6.6 by
# tests/it/pids.rs): the example of the kernel's Documentation/admin-guide/cgroup-v1/pids.rst,
# a bounded fork bomb stopped by a hierarchical limit, pids.events, the log line, migration
# past the limit, threads, zombies keeping their charge, and refused writes.
# The script's own shell stays in the root cgroup: a refused fork makes dash print
# "Cannot fork" and exit with status 2, so the limited work runs in `sh -c` children.
mkdir -p /sys/fs/cgroup/pids
mount -t cgroup -o pids none /sys/fs/cgroup/pids
cd /sys/fs/cgroup/pids
# No pids.* file in the root (CFTYPE_NOT_ON_ROOT).
ls
mkdir -p parent/child
ls parent/child
cat parent/pids.max parent/pids.current parent/pids.events
# The kernel's example: 2 tasks may live in parent; the shell and cat are 2.
echo 2 > parent/pids.max
sh -c 'echo $$ > parent/cgroup.procs; cat parent/pids.current; ( /bin/echo "Here'"'"'s some processes for you." | cat ); echo "subshell exit status $?"'
echo "sh exit status $?"
cat parent/pids.current parent/pids.events
# The first refusal in a cgroup is logged (once per cgroup).
dmesg | grep rejected
# A fork bomb in child, whose own limit is higher: parent's limit stops it, and the refusals
# are counted in child's pids.events (the forking task's cgroup), not in parent's.
echo 5 > parent/pids.max
echo 100 > parent/child/pids.max
sh -c 'echo $$ > parent/child/tasks; while :; do sleep 1000 & done'
echo "sh exit status $?"
cat parent/pids.current parent/child/pids.current
cat parent/pids.events parent/child/pids.events
dmesg | grep rejected
# Nothing may fork in child now; the sleeps are killed and reaped by init.
kill $(cat parent/child/tasks)
sleep 1
cat parent/pids.current parent/child/pids.current
# Migration is never refused: 3 tasks go into a cgroup limited to 1.
echo 1 > parent/child/pids.max
sleep 1000 &
a=$!
sleep 1000 &
b=$!
sleep 1000 &
c=$!
echo $a > parent/child/tasks
echo $b > parent/child/tasks
echo $c > parent/child/cgroup.procs
cat parent/child/pids.max parent/child/pids.current parent/pids.current
kill $a $b $c
wait
cat parent/pids.current
# Every thread is a task: with room for 4, the 4th clone of a process in child is refused
# (`threads` reports pthread_create's EAGAIN); moving a 5th task in is not.
echo 4 > parent/child/pids.max
sh -c 'echo $$ > parent/child/cgroup.procs; exec threads 5'
echo "threads exit status $?"
threads 3 &
t=$!
echo $t > parent/child/cgroup.procs
cat parent/child/pids.current
sh -c 'echo $$ > parent/child/cgroup.procs; read n < parent/child/pids.current; echo $n; /bin/sleep 0; echo not reached'
echo "sh exit status $?"
kill $t
wait
cat parent/child/pids.current
# A zombie keeps its charge until it is reaped: the short sleep's parent execs a long sleep,
# which never waits; once that is killed, init reaps both.
echo max > parent/child/pids.max
sh -c 'echo $$ > parent/child/cgroup.procs; /bin/sleep 0 & exec sleep 1000' &
s=$!
sleep 1
ps -o pid,stat,comm
cat parent/child/pids.current
kill $s
sleep 1
cat parent/child/pids.current
# Bad writes change nothing.
echo 3 > parent/pids.max
for v in -1 4194305 abc 1.5 "" 0x 08 99999999999999999999 Max; do
	echo "$v" > parent/pids.max
done
cat parent/pids.max
for v in " 7 " 0x10 010 +9 4194304 0 max; do
	echo "$v" > parent/pids.max
	cat parent/pids.max
done
echo 1 > pids.max
cat parent/pids.events parent/child/pids.events
