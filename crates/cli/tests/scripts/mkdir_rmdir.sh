# `kernel/cgroup.c` `cgroup_rmdir`, `cgroup_create`, v2.6.34: mkdir and rmdir of cgroups, with every errno of the shell.
mkdir /cg
mount -t cgroup -o cpu,cpuacct none /cg
mkdir /cg/A
ls /cg/A
# EEXIST for a name in use, ENOENT for a missing parent, EEXIST for a control file's name.
mkdir /cg/A
mkdir /cg/nope/B
mkdir /cg/tasks
mkdir -p /cg/A/B/C
ls -d /cg/A/B/C
# rmdir with a task in A: EBUSY.
echo $$ > /cg/A/tasks
rmdir /cg/A
echo $$ > /cg/tasks
# rmdir with a child: EBUSY. A control file: ENOTDIR. The top of a hierarchy: EBUSY.
rmdir /cg/A
rmdir /cg/A/tasks
rmdir /cg
rmdir /cg/missing
# An unprivileged user cannot create or remove cgroups in root's directories: EACCES.
setpriv --reuid=1000 mkdir /cg/U
setpriv --reuid=1000 rmdir /cg/A/B/C
# Empty leaves go, then their parents.
rmdir /cg/A/B/C /cg/A/B
rmdir /cg/A
ls /cg
cat /proc/cgroups
