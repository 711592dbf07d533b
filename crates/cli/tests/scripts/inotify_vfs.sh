# fsnotify's VFS hooks on 6.6 (include/linux/fsnotify.h) seen with inotifywait 3.22: events in
# a watched cgroup directory (mkdir/rmdir, writes to control files, kernfs_notify's MODIFY of
# cgroup.events with the file's name), recursive watches (-m -r), --format, --timefmt, -c,
# --exclude/--include, and the same events on tmpfs, where a removed inode gives DELETE_SELF.
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
echo +memory > cgroup.subtree_control

# mkdir and rmdir in a watched cgroup directory: CREATE,ISDIR and DELETE,ISDIR with the name.
inotifywait -m -e create,delete . > /tmp/root.log 2>&1 &
w=$!
sleep 1
mkdir A
mkdir B
rmdir B
sleep 1
kill $w
cat /tmp/root.log

# Everything that happens in A: a write to memory.max (OPEN, MODIFY, CLOSE_WRITE), a read
# (OPEN, ACCESS, CLOSE_NOWRITE), ls (the directory itself, ISDIR), chmod (ATTRIB), and
# cgroup.events changing when a task enters (kernfs_notify: MODIFY with the file's name).
inotifywait -m A > /tmp/a.log 2>&1 &
w=$!
sleep 1
echo 1M > A/memory.max
cat A/memory.max
ls A > /dev/null
chmod 644 A/memory.high
sleep 100 &
s=$!
echo $s > A/cgroup.procs
sleep 1
kill $w
cat /tmp/a.log

# A watch on the file alone: IN_MODIFY from the write, no name.
inotifywait -e modify A/memory.max &
m=$!
sleep 1
echo max > A/memory.max
wait $m; echo "inotifywait exited $?"

# -m -r: every directory below, and new ones as they come (inotifywait lists each new
# directory itself, which the watch on its parent sees as OPEN,ISDIR ... CLOSE_NOWRITE).
mkdir A/x
inotifywait -m -r -e create,delete,modify --format '%w|%f|%e|%:e' A > /tmp/r.log 2>&1 &
w=$!
sleep 1
mkdir A/x/y
echo 5 > A/x/y/cgroup.max.descendants
rmdir A/x/y
sleep 1
kill $w
cat /tmp/r.log

# --timefmt and %T (the simulated clock, UTC), -c (CSV), --exclude on %w%f.
inotifywait -q --timefmt '%Y-%m-%d %H:%M' --format '%T %w%f %e' -e create . &
t=$!
sleep 1
mkdir C
wait $t
inotifywait -q -c -m -e create,delete . > /tmp/c.log &
w=$!
sleep 1
mkdir 'D,1'
rmdir 'D,1'
sleep 1
kill $w
cat /tmp/c.log
inotifywait -q -m --exclude 'E' -e create . > /tmp/x.log &
w=$!
sleep 1
mkdir E F
sleep 1
kill $w
cat /tmp/x.log
kill $s

# Removing the cgroup: the parent's watch sees DELETE,ISDIR; A's own watch nothing (6.6's
# kernfs keeps the link count), so inotifywait -t gives up (exit 2).
inotifywait -q -t 2 -e delete_self A &
a=$!
inotifywait -q -e delete . &
p=$!
sleep 1
rmdir A/x
rmdir A
wait $p; echo "parent watch exited $?"
wait $a; echo "watch on A exited $?"

# The same on tmpfs: the directory's inode goes with it (DELETE_SELF, then IGNORED, which
# inotifywait -m does not print); touch adds ATTRIB (utimensat).
mkdir -p /tmp/t/d
cd /tmp/t
inotifywait -m . d > /tmp/t.log 2>&1 &
w=$!
sleep 1
touch d/f
echo hi >> d/f
rm d/f
rmdir d
sleep 1
kill $w
cat /tmp/t.log

# Option errors, as inotifywait 3.22 prints them.
inotifywait --timefmt %H .; echo $?
inotifywait --format '%T' .; echo $?
inotifywait -c --format x .; echo $?
inotifywait --exclude a --include b .; echo $?
inotifywait --exclude '(' .; echo $?
inotifywait -r -t 1 /tmp/t/nothing; echo $?
inotifywait -o /nonexistent/x .; echo $?
