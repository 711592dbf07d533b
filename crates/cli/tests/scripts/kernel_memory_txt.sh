# Documentation/cgroups/memory.txt of v2.6.35, section 3 ("User Interface") and the control
# files of sections 4-10, typed as the document shows them.
mkdir -p /cgroups
mount -t cgroup none /cgroups -o memory
mkdir /cgroups/0
echo $$ > /cgroups/0/tasks
echo 4M > /cgroups/0/memory.limit_in_bytes
cat /cgroups/0/memory.limit_in_bytes
cat /cgroups/0/memory.usage_in_bytes
cd /cgroups/0
echo 1 > memory.limit_in_bytes
cat memory.limit_in_bytes
echo -1 > memory.limit_in_bytes
cat memory.limit_in_bytes
echo 4M > /cgroups/memory.limit_in_bytes
echo 0 > memory.force_empty
echo 0 > memory.failcnt
cat memory.failcnt
echo 1 > memory.use_hierarchy
cat memory.use_hierarchy
echo 0 > memory.use_hierarchy
echo 256M > memory.soft_limit_in_bytes
echo 1G > memory.soft_limit_in_bytes
cat memory.soft_limit_in_bytes
echo 1 > memory.move_charge_at_immigrate
echo 0 > memory.move_charge_at_immigrate
echo 1 > memory.oom_control
cat memory.oom_control
cat memory.swappiness
grep -E '^(cache|rss|hierarchical_memory_limit) ' memory.stat
