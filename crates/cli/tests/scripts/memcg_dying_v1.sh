# A removed memcg keeps its charges on 3.19 and 4.19 (mm/memcontrol.c mem_cgroup_css_offline
# reparents nothing; each charged page holds a css reference until it is uncharged): after
# rmdir the parent's usage and its total_ statistics still count the dead child's pages, until
# they are freed. memory.force_empty only reclaims (mem_cgroup_force_empty, v3.19.8, v4.19):
# no EBUSY with a task inside, nothing moved to the parent, and without swap a task's
# anonymous memory stays. Run without swap on 2.6.35 (which reparents), 3.19 and 4.19 by
# tests/it/presets.rs.
mkdir -p /cg
mount -t cgroup -o memory none /cg
cd /cg
echo 1 > memory.use_hierarchy
mkdir P P/A
echo $$ > P/A/tasks
dd if=/dev/zero of=/tmp/f bs=1M count=4 2>/dev/null
echo $$ > tasks
cat P/A/memory.usage_in_bytes P/memory.usage_in_bytes
rmdir P/A
ls P | grep -c '^A$'
cat P/memory.usage_in_bytes
grep -E '^(cache|total_cache) ' P/memory.stat
rm /tmp/f
cat P/memory.usage_in_bytes
grep -E '^(cache|total_cache) ' P/memory.stat
# force_empty with a task inside.
mkdir P/B
echo $$ > P/B/tasks
dd if=/dev/zero of=/tmp/g bs=1M count=2 2>/dev/null
memhold 1M &
echo $$ > tasks
cat P/B/memory.usage_in_bytes
echo 0 > P/B/memory.force_empty
cat P/B/memory.usage_in_bytes P/memory.usage_in_bytes
kill $!
wait
cat P/B/memory.usage_in_bytes
echo 0 > memory.force_empty
rmdir P/B P
cat memory.stat | grep -E '^total_(cache|rss) '
