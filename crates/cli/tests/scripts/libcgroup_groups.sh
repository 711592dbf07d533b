# libcgroup 0.41 cgcreate and cgdelete (src/tools/cgcreate.c, src/tools/cgdelete.c, the
# library's cgroup_create_cgroup and cgroup_delete_cgroup_ext in src/api.c).
cgcreate -g cpu:/a
echo $?
cgdelete cpu:/a
echo $?
mkdir -p /cgroup/cpu /cgroup/memory
mount -t cgroup -o cpu,cpuacct cpu /cgroup/cpu
mount -t cgroup -o memory memory /cgroup/memory
echo 'alice:x:1000:1000::/home/alice:/bin/sh' >> /etc/passwd
echo 'alice:x:1000:' >> /etc/group
# One -g per group; a group named in two controllers of one hierarchy is made once.
cgcreate -g cpu,cpuacct,memory:/lab1 -g memory:lab1/sub
echo $?
lscgroup
# -t owns the tasks file, -a the directory and the other files.
cgcreate -t alice:alice -a root:alice -g cpu:/delegated
ls -l /cgroup/cpu/delegated
# -d and -f modes: the owner's bits bound the group's and others' (cg_chmod_path).
cgcreate -d 777 -f 777 -s 666 -g memory:/modes
ls -l /cgroup/memory/modes | head -6
ls -ld /cgroup/memory/modes
# Errors, byte for byte as libcgroup 0.41 prints them.
cgcreate -g cpuset:/x
echo $?
cgcreate -g cpu
echo $?
cgcreate -g cpu,cpu:/y
echo $?
cgcreate -t nosuch -g cpu:/y
echo $?
cgcreate -a :nogrp -g cpu:/y
echo $?
cgcreate -d 7 -g cpu:/y
echo $?
cgcreate -g cpu:/y extra
echo $?
cgcreate -q
echo $?
cgcreate
echo $?
# cgdelete moves the tasks to the parent, then removes the directory.
sleep 100 &
echo $! > /cgroup/memory/lab1/sub/tasks
cgdelete memory:/lab1/sub
cat /cgroup/memory/lab1/tasks
cgdelete memory:/lab1
echo $?
cgdelete cpu:/lab1
echo $?
lscgroup
cgdelete cpu:/nonexistent
echo $?
cgdelete memory:/lab1 cpu:/delegated
echo $?
cgdelete cpuset:/x
echo $?
cgdelete -g cpu
echo $?
# Non-recursive delete of a group with children: rmdir says EBUSY.
mkdir -p /cgroup/cpu/p/q/r
cgdelete cpu:/p
echo $?
cgdelete -r cpu:/p
echo $?
lscgroup cpu:/
# The root group: silently kept without -r; with -r every group goes, the tasks to the root.
mkdir /cgroup/cpu/s /cgroup/cpu/t
echo $! > /cgroup/cpu/t/tasks
cgdelete cpu:/
echo $?
cgdelete -r cpu:/
echo $?
lscgroup cpu:/
cat /cgroup/cpu/tasks
kill $!
