# LTP 20250530's tst_cgctl on Linux 6.6 (lib/tst_cgroup.c): with nothing mounted it mounts the
# unified hierarchy on $TMPDIR/cgroup_unified, finds memory in its cgroup.controllers and uses
# it there (version 2 in the state), so memcg_lib.sh's v1-only tests skip (TCONF).
state=$(tst_cgctl require memory $$)
echo "$state"
grep cgroup2 /proc/mounts
cat /tmp/cgroup_unified/cgroup.subtree_control /tmp/cgroup_unified/ltp/cgroup.subtree_control
ls /tmp/cgroup_unified/ltp
ls /tmp/cgroup_unified/ltp/test-$$ | grep -c '^memory\.'
echo $$ > /tmp/cgroup_unified/ltp/test-$$/cgroup.procs
tst_cgctl cleanup "$state"; echo "cleanup: $?"
grep -c cgroup2 /proc/mounts
ls /tmp
cat /proc/self/cgroup
# A hierarchy already mounted is used as it is: the library enables memory in its root but
# neither unmounts it nor disables memory there at cleanup.
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
state=$(tst_cgctl require memory $$)
echo "$state"
tst_cgctl print
tst_cgctl cleanup "$state"; echo "cleanup: $?"
cat /sys/fs/cgroup/cgroup.subtree_control
ls /sys/fs/cgroup | grep -c ltp
# With memory on a v1 hierarchy, the library uses that one (tasks, clone_children).
echo -memory > /sys/fs/cgroup/cgroup.subtree_control
mkdir -p /tmp/mem
mount -t cgroup -o memory none /tmp/mem
state=$(tst_cgctl require memory $$)
echo "$state"
tst_cgctl cleanup "$state"; echo "cleanup: $?"
