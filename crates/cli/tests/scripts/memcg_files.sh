# The memory control files through the shell (`kernel/cgroup.c` `cgroup_get_sb`, `cgroup_populate_dir`, `cgroup_create`, v2.6.34; `mm/memcontrol.c` `mem_cgroup_write`, `mem_cgroup_resize_limit`, `mem_cgroup_resize_memsw_limit`, `mem_cgroup_hierarchy_write`, v2.6.34).
# `kernel/cgroup.c` `cgroup_get_sb`, `cgroup_populate_dir`, v2.6.34: the top cgroup is unlimited.
mkdir /cg
mount -t cgroup -o memory none /cg
cat /cg/memory.limit_in_bytes /cg/memory.usage_in_bytes /cg/memory.use_hierarchy
# `kernel/cgroup.c` `cgroup_create`, v2.6.34; `mm/memcontrol.c` `mem_cgroup_write`, v2.6.34: limits are memparse'd and rounded up to whole pages; -1 is unlimited.
mkdir /cg/A
echo 4M > /cg/A/memory.limit_in_bytes
cat /cg/A/memory.limit_in_bytes
echo 1 > /cg/A/memory.limit_in_bytes
cat /cg/A/memory.limit_in_bytes
echo -1 > /cg/A/memory.limit_in_bytes
cat /cg/A/memory.limit_in_bytes
echo abc > /cg/A/memory.limit_in_bytes
echo 4M > /cg/memory.limit_in_bytes
# `mm/memcontrol.c` `mem_cgroup_resize_limit`, `mem_cgroup_resize_memsw_limit`, v2.6.34: memsw.limit_in_bytes may not go below limit_in_bytes, nor limit above memsw.
echo 4M > /cg/A/memory.limit_in_bytes
echo 2M > /cg/A/memory.memsw.limit_in_bytes
echo 8M > /cg/A/memory.memsw.limit_in_bytes
echo 16M > /cg/A/memory.limit_in_bytes
cat /cg/A/memory.limit_in_bytes /cg/A/memory.memsw.limit_in_bytes
rmdir /cg/A
# `mm/memcontrol.c` `mem_cgroup_hierarchy_write`, v2.6.34: use_hierarchy set on /cg before children are made is inherited; below a
# hierarchical parent it cannot be changed (EINVAL, checked first); a cgroup with children
# cannot change it (EBUSY).
echo 1 > /cg/memory.use_hierarchy
mkdir /cg/A
cat /cg/A/memory.use_hierarchy
echo 0 > /cg/A/memory.use_hierarchy
mkdir /cg/A/B
echo 1 > /cg/A/memory.use_hierarchy
echo 0 > /cg/memory.use_hierarchy
# With the hierarchy, a charge in B counts against A's limit too.
echo 1M > /cg/A/memory.limit_in_bytes
echo $$ > /cg/A/B/tasks
memhold 512K &
cat /cg/A/B/memory.usage_in_bytes /cg/A/memory.usage_in_bytes
cat /cg/A/B/memory.stat
kill $!
wait $!
cat /cg/A/memory.usage_in_bytes
