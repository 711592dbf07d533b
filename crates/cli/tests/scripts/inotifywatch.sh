# inotifywatch from inotify-tools 3.22: count the events of each watch for -t seconds and
# print the table (columns of the events that happened, rows sorted by total, descending);
# -a/-d choose the order, -z keeps the empty rows and columns; its messages and errors.
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
echo +memory > cgroup.subtree_control
mkdir A B
inotifywatch -t 2 . A B > /tmp/w1 &
p=$!
sleep 1
echo 1M > A/memory.max
cat A/memory.max A/memory.current > /dev/null
ls B > /dev/null
mkdir C
wait $p; echo "inotifywatch exited $?"
cat /tmp/w1
inotifywatch -t 2 -a open -e open,close_nowrite . A > /tmp/w2 2>/dev/null &
p=$!
sleep 1
cat A/memory.max > /dev/null
ls A > /dev/null
ls A > /dev/null
wait $p
cat /tmp/w2
inotifywatch -z -t 1 -e modify,create A B; echo $?
inotifywatch -a move A; echo $?
inotifywatch -a bogus A; echo $?
inotifywatch -e open -d modify A; echo $?
inotifywatch -a open -a open A; echo $?
inotifywatch nothing; echo $?
inotifywatch -v -r -t 1 A; echo $?
# SIGINT ends the collection early; the table follows (exit 0).
inotifywatch -e access . > /tmp/w3 2>&1 &
p=$!
sleep 1
cat cgroup.controllers > /dev/null
kill -INT $p
wait $p; echo "inotifywatch exited $?"
cat /tmp/w3
