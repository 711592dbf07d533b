# The memory control files through the shell (spec §15.3.1, §15.3.3, §15.3.6, §15.3.7).
# §15.3.1: the top cgroup is unlimited.
mkdir /cg
mount -t cgroup -o memory none /cg
cat /cg/memory.limit_in_bytes /cg/memory.usage_in_bytes /cg/memory.use_hierarchy
# §15.3.3: limits are memparse'd and rounded up to whole pages; -1 is unlimited.
mkdir /cg/A
echo 4M > /cg/A/memory.limit_in_bytes
cat /cg/A/memory.limit_in_bytes
echo 1 > /cg/A/memory.limit_in_bytes
cat /cg/A/memory.limit_in_bytes
echo -1 > /cg/A/memory.limit_in_bytes
cat /cg/A/memory.limit_in_bytes
echo abc > /cg/A/memory.limit_in_bytes
echo 4M > /cg/memory.limit_in_bytes
# §15.3.6: memsw.limit_in_bytes may not go below limit_in_bytes, nor limit above memsw.
echo 4M > /cg/A/memory.limit_in_bytes
echo 2M > /cg/A/memory.memsw.limit_in_bytes
echo 8M > /cg/A/memory.memsw.limit_in_bytes
echo 16M > /cg/A/memory.limit_in_bytes
cat /cg/A/memory.limit_in_bytes /cg/A/memory.memsw.limit_in_bytes
rmdir /cg/A
# §15.3.7: use_hierarchy set on /cg before children are made is inherited; below a
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
