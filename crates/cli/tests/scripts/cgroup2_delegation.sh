# Delegation on the default hierarchy of Linux 6.6 (Documentation/admin-guide/cgroup-v2.rst
# "Delegation Containment"; kernel/cgroup/cgroup.c cgroup_procs_write_permission,
# __cgroup_procs_write): to move a process, the writer needs write access to the
# cgroup.procs of the common ancestor of the source and destination cgroups, checked with the
# credentials of whoever opened the file. Run with --kernel 6.6 by tests/it/cgroup2.rs.
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
cat /sys/kernel/cgroup/delegate
# Delegate the subtree "deleg" to nobody: the directory and its delegatable files.
mkdir deleg
chown nobody deleg deleg/cgroup.procs deleg/cgroup.threads deleg/cgroup.subtree_control
ls -l deleg | grep nobody
# nobody's shell starts in the root: moving itself into deleg needs the root's cgroup.procs.
su -s /bin/sh nobody -c 'echo $$ > /sys/fs/cgroup/deleg/cgroup.procs; echo rc=$?'
# Started in deleg (root's shell moves there first), it manages the subtree: mkdir (the new
# cgroups and their files are its own, cgroup_kn_set_ugid) and moves between its cgroups,
# whose common ancestor deleg is its own; it cannot leave the subtree.
echo $$ > deleg/cgroup.procs
su -s /bin/sh nobody -c 'cd /sys/fs/cgroup/deleg; mkdir a b; ls -l a | grep -c 'nobody nogroup'
  echo $$ > a/cgroup.procs; echo "a: rc=$?"
  echo $$ > b/cgroup.procs; echo "b: rc=$?"; cat /proc/self/cgroup
  echo $$ > /sys/fs/cgroup/cgroup.procs; echo "out: rc=$?"
  echo 1 > a/cgroup.max.depth; echo "a/cgroup.max.depth: rc=$?"'
# The opener's credentials count: a file root opened lets nobody's write pass.
exec 3> cgroup.procs
su -s /bin/sh nobody -c 'echo 0 >&3; echo rc=$?; cat /proc/self/cgroup'
exec 3>&-
echo $$ > cgroup.procs
rmdir deleg/a deleg/b deleg
