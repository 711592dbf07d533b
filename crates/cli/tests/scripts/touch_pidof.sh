# touch (coreutils 9.1) and pidof (procps-ng 4.0.2), as tutorials use them: create an empty
# rules file, find the pid of a running program to write into a cgroup's tasks file.
touch /etc/cgrules.conf /tmp/new; echo "status $?"
ls -l /tmp
touch /nonexistent/file; echo "status $?"
# A directory cannot be opened for writing, but its times can be set (utimensat by name).
touch /tmp; echo "status $?"
touch; echo "status $?"
touch -x /tmp/f; echo "status $?"
touch -c /tmp/none; echo "status $?"
ls /tmp
mkdir /cg
mount -t cgroup -o memory none /cg
mkdir /cg/a
sleep 100 &
sleep 200 &
pidof sleep
pidof -s sleep
pidof -d, sleep sh
pidof -o $! sleep
pidof nosuch; echo "status $?"
pidof; echo "status $?"
echo $(pidof -s sleep) > /cg/a/tasks
cat /cg/a/tasks
which touch pidof service chkconfig cgrulesengd sudo
