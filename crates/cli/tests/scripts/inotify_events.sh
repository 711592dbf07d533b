# inotify on 6.6 (fs/notify/inotify/inotify_user.c; kernfs_notify raises FS_MODIFY on the
# file cgroup_file_notify names): inotifywait from inotify-tools 3.22 on cgroup.events and
# memory.events, its messages, options and exit statuses.
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
echo +memory > cgroup.subtree_control
mkdir A

# Usage errors, as inotifywait 3.22 prints them.
inotifywait; echo $?
inotifywait -x A/cgroup.events; echo $?
inotifywait --bogus A/cgroup.events; echo $?
inotifywait -e foo A/cgroup.events; echo $?
inotifywait -t abc A/cgroup.events; echo $?
inotifywait -f A/cgroup.events; echo $?
inotifywait A/nothing.events; echo $?
inotifywait --help | head -3; inotifywait --help > /dev/null; echo $?

# Nothing happens within the timeout: exit 2.
inotifywait -t 1 A/cgroup.events; echo $?

# cgroup.events: populated 0 -> 1 when a task enters A, 1 -> 0 when it exits: two events.
inotifywait -m -e modify A/cgroup.events &
w=$!
sleep 1
sleep 2 &
echo $! > A/cgroup.procs
cat A/cgroup.events
sleep 3
cat A/cgroup.events

# memory.events after memory.max is hit: the max (and oom) counters move.
echo 0 > A/memory.swap.max
echo 1M > A/memory.max
inotifywait -q -e modify --format '%w changed: %e' A/memory.events &
q=$!
sleep 1
memcg_process --mmap-anon -s 4194304 &
p=$!
echo $p > A/cgroup.procs
kill -USR1 $p
sleep 1
wait $q; echo "inotifywait exited $?"
grep -E '^(max|oom|oom_kill) ' A/memory.events

# rmdir A: the watch goes (IN_IGNORED); without -m inotifywait exits 1 on that event.
sleep 1
inotifywait -e modify A/cgroup.events &
r=$!
sleep 1
rmdir A
wait $r; echo "inotifywait exited $?"
kill $w
# Asked for, IGNORED is printed and is the event that ends it (exit 0).
mkdir B
inotifywait -q -e ignored --format '%w %e [%f]' B/memory.events &
sleep 1
rmdir B
wait $!; echo "inotifywait exited $?"
