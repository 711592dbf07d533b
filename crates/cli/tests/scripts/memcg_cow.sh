# fork shares anonymous memory copy-on-write (`mm/memory.c` `do_wp_page`, v2.6.34): the shared pages stay charged to
# the memcg that first touched them; a write copies a page and charges the copy to the
# writer's memcg; the original is uncharged with its last mapping.
mkdir /cg
mount -t cgroup -o memory none /cg
mkdir /cg/a /cg/b
echo $$ > /cg/a/tasks
# memhold -f touches 1M in a, then forks a child sharing it; the child's pid is printed
# (pids are deterministic: the parent is 6, the child 7).
memhold -f 1M &
parent=$!
sleep 1
child=7
ps -o pid,ppid,stat,rss,comm,cgroup
cat /cg/a/memory.usage_in_bytes
# The child moves to b: its (shared) pages stay charged to a.
echo $child > /cg/b/tasks
cat /cg/b/memory.usage_in_bytes
# SIGUSR1: the child writes every page; each write copies into b.
kill -USR1 $child
sleep 1
cat /cg/a/memory.usage_in_bytes /cg/b/memory.usage_in_bytes
grep rss /cg/b/memory.stat
# The parent exits: its originals, now mapped by nobody else, leave a.
kill $parent
sleep 1
cat /cg/a/memory.usage_in_bytes /cg/b/memory.usage_in_bytes
ps -o pid,ppid,stat,rss,comm,cgroup
# Shared pages do not move with move_charge_at_immigrate either: fork again, move the
# child (pid 19) back to a with charge moving on; b keeps the shared pages.
kill $child
echo 1 > /cg/a/memory.move_charge_at_immigrate
echo $$ > /cg/b/tasks
memhold -f 512K &
sleep 1
echo 19 > /cg/a/tasks
cat /cg/a/memory.usage_in_bytes /cg/b/memory.usage_in_bytes
