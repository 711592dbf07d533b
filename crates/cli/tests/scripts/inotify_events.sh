# inotify on 6.6 (fs/notify/inotify/inotify_user.c; kernfs_notify raises FS_MODIFY on the
# file cgroup_file_notify names): inotifywait from inotify-tools 3.22 on cgroup.events and
# memory.events, its messages, options and exit statuses. VFS events: inotify_vfs.sh.
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

# rmdir A: 6.6's kernfs keeps a removed directory's link count, so the watches of A's files
# hear nothing (no DELETE_SELF, no IGNORED): this inotifywait times out (exit 2). The watch on
# the parent directory sees DELETE,ISDIR (vfs_rmdir's fsnotify_delete).
sleep 1
inotifywait -t 3 -e modify,delete_self A/cgroup.events &
r=$!
inotifywait -q -e delete . &
p=$!
sleep 1
rmdir A
wait $p; echo "parent watch exited $?"
wait $r; echo "inotifywait exited $?"
kill $w
# On tmpfs the inode goes with its last link: IGNORED, asked for, is printed and ends it
# (exit 0); DELETE_SELF was not asked for, so the watch does not get it.
touch /tmp/f
inotifywait -q -e ignored --format '%w %e [%f]' /tmp/f &
sleep 1
rm /tmp/f
wait $!; echo "inotifywait exited $?"
