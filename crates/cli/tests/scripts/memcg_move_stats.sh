# Moving charges counts like uncharging in the source and charging in the destination
# (mm/memcontrol.c __mem_cgroup_move_account -> mem_cgroup_charge_statistics, 2.6.34/2.6.35):
# the source's cache or rss goes down and its pgpgout up, the destination's rss or cache goes up
# and its pgpgin up. move_charge_at_immigrate, force_empty and rmdir all move pages this way.
mkdir /cg
mount -t cgroup -o memory none /cg
mkdir /cg/A /cg/B
echo 1 > /cg/B/memory.move_charge_at_immigrate
echo $$ > /cg/A/tasks
memcg_process --mmap-anon -s 1048576 &
pid=$!
sleep 1
kill -USR1 $pid
sleep 1
grep rss /cg/A/memory.stat; grep pgpg /cg/A/memory.stat
echo $pid > /cg/B/tasks
grep rss /cg/A/memory.stat; grep pgpg /cg/A/memory.stat
grep rss /cg/B/memory.stat; grep pgpg /cg/B/memory.stat
# rmdir reparents to the root the same way (the task leaves first; its pages stay in B).
echo $pid > /cg/tasks
echo $$ > /cg/tasks
rmdir /cg/B
grep rss /cg/memory.stat; grep pgpg /cg/memory.stat
