# cgrulesengd -n (no fork: the process that ran it is the daemon, here a background job) and
# -d (-n with libcgroup 0.41's flog lines at LOG_DEBUG on standard output), -v, -f FILE: the
# log of src/daemon/cgrulesengd.c (start-up, the rules table, the process events, the moves,
# SIGUSR2's reload and SIGTERM's goodbye).
echo 'maria:x:500:500::/home/maria:/bin/sh' >> /etc/passwd
echo 'maria:x:500:' >> /etc/group
mkdir -p /cgroup/memory
mount -t cgroup -o memory memory /cgroup/memory
mkdir /cgroup/memory/staff /cgroup/memory/sleepers
echo 'maria		memory		/staff
*:sleep		memory		/sleepers/' > /etc/cgrules.conf
cgrulesengd -d &
D=$!
ps -o pid,ppid,comm -p $D
sleep 100 &
S=$!
cat /cgroup/memory/sleepers/tasks
setpriv --reuid=maria --regid=maria sh -c 'grep memory /proc/self/cgroup'
cgexec --sticky -g memory:/ sleep 5
echo '*:sleep		memory		/staff' > /etc/cgrules.conf
kill -USR2 $D
sleep 1
kill $D
wait $D; echo "status $?"
ls /var/run/cgred.socket
kill $S
# -n alone logs nothing on the terminal (LOG_ERR to syslog); -v -f FILE appends the log to FILE.
cgrulesengd -n &
sleep 1
ps -o comm,args -p $!
kill $!
wait $!; echo "status $?"
cgrulesengd -vv -n -f /tmp/cgred.log &
sleep 1
kill $!
wait $!
cat /tmp/cgred.log
cgrulesengd -q -x; echo "status $?"
