# The pids controller on the default hierarchy (kernel/cgroup/pids.c, v6.6; run by
# tests/it/cgroup2.rs on the 6.6 preset): +pids in cgroup.subtree_control, the same three
# files as on v1 (none in the root), hierarchical limits, pids.events counted where the fork
# was refused and seen by inotifywait, migration past the limit, and the charges moving when
# the controller is switched off.
mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
cat cgroup.controllers
ls | grep pids
echo +pids > cgroup.subtree_control
mkdir -p a/b
ls a | grep pids
cat a/cgroup.controllers
echo +pids > a/cgroup.subtree_control
ls a/b | grep pids
# a allows 3 tasks, a/b 10: a's limit stops a/b's fork bomb; the refusals count in a/b.
echo 3 > a/pids.max
echo 10 > a/b/pids.max
inotifywait -q -e modify a/b/pids.events &
sleep 1
sh -c 'echo $$ > a/b/cgroup.procs; while :; do sleep 1000 & done'
echo "sh exit status $?"
wait $!
cat a/pids.current a/b/pids.current a/pids.events a/b/pids.events
dmesg | grep rejected
cat a/b/cgroup.procs | wc -l
# Migration is never refused: a 3rd task joins a/b, a is at 3 > 2.
echo 2 > a/pids.max
sleep 1000 &
echo $! > a/b/cgroup.procs
cat a/pids.max a/pids.current a/b/pids.current
# Switching pids off in a moves a/b's charges back to a (cgroup_update_dfl_csses); the
# files go from a/b.
echo -pids > a/cgroup.subtree_control
ls a/b | grep -c pids
cat a/pids.current
echo +pids > a/cgroup.subtree_control
cat a/b/pids.current a/b/pids.max
# Errors: no pids.max in the root; bad values leave the limit alone.
echo 5 > pids.max
echo -1 > a/pids.max
echo 4194305 > a/pids.max
cat a/pids.max
kill $(cat a/b/cgroup.procs)
sleep 1
cat a/pids.current a/b/pids.current
