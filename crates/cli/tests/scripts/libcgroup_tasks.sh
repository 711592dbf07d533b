# libcgroup 0.41 cgexec and cgclassify (src/tools/cgexec.c, src/tools/cgclassify.c;
# cgroup_change_cgroup_path and cgroup_attach_task_pid in src/api.c).
mkdir -p /cgroup/cpu /cgroup/memory
mount -t cgroup -o cpu,cpuacct cpu /cgroup/cpu
mount -t cgroup -o memory memory /cgroup/memory
cgcreate -g cpu,memory:/work -g memory:/other
cgexec -g memory:/work cat /proc/self/cgroup
cgexec -g cpu:/work -g memory:/other cat /proc/self/cgroup
cgexec -g '*:/work' cat /proc/self/cgroup
cgexec -g memory:/work sh -c 'echo $$ in; cat /cgroup/memory/work/tasks'
# Without -g the rules of /etc/cgrules.conf apply; there is none, so nothing moves.
cgexec cat /proc/self/cgroup
cgexec -g memory:/nonexistent true
echo $?
cgexec -g cpuset:/ true
echo $?
cgexec -g memory:/work nosuchcommand
echo $?
cgexec -g memory
echo $?
cgexec
echo $?
cgexec -x true
echo $?
sleep 1000 &
cgclassify -g cpu,memory:/work $!
echo $?
cat /cgroup/cpu/work/tasks /cgroup/memory/work/tasks
cgclassify -g memory:/other $! 99999 x12
echo $?
cat /cgroup/memory/other/tasks
cgclassify -g memory:/nonexistent $!
echo $?
cgclassify $!
echo $?
cgclassify 99999
echo $?
cgclassify
echo $?
# A user may move only its own processes into a group whose tasks file it may write.
echo 'alice:x:1000:1000::/home/alice:/bin/sh' >> /etc/passwd
echo 'alice:x:1000:' >> /etc/group
cgcreate -t alice:alice -g memory:/alice
setpriv --reuid=alice --regid=alice cgexec -g memory:/alice cat /proc/self/cgroup
setpriv --reuid=alice --regid=alice cgexec -g memory:/work true
echo $?
setpriv --reuid=alice --regid=alice cgclassify -g memory:/alice $!
echo $?
kill $!
