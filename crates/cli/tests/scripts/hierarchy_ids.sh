# Hierarchy ids as 2.6.35 hands them out (kernel/cgroup.c cgroup_get_sb -> cgroup_root_from_opts
# -> init_root_id): a mount that names subsystems allocates a new root and its id before looking
# for an existing hierarchy, and ida_get_new_above(next_hierarchy_id) never goes back to a freed
# lower id. rootnode holds id 0 (unmounted subsystems show 0).
mkdir /a /b /c
mount -t cgroup -o memory none /a
cat /proc/cgroups
# Reusing hierarchy 1 allocates id 2 and drops it again.
mount -t cgroup -o memory none /b
# memory is bound elsewhere: EBUSY, and id 3 is used up too.
mount -t cgroup -o memory,cpu none /c
# A bad option fails before anything is allocated.
mount -t cgroup -o nosuch none /c
mount -t cgroup -o cpu none /c
cat /proc/cgroups
cat /proc/self/cgroup
# Freeing hierarchy 1 does not bring id 1 back.
umount /b
umount /a
mount -t cgroup -o memory none /a
cat /proc/self/cgroup
grep memory /proc/cgroups
