# LTP-style memory controller scenarios through memcg_process (ported from LTP's
# controllers/memcg/functional: memcg_stat_test.sh, memcg_max_usage_in_bytes_test.sh,
# memcg_failcnt.sh, memcg_move_charge_at_immigrate_test.sh, memcg_force_empty.sh;
# `kernel/cgroup.c` `cgroup_get_sb`, `cgroup_populate_dir`, `cgroup_create`, v2.6.34; `mm/memcontrol.c` `mem_cgroup_write`, v2.6.34).
mkdir /cg
mount -t cgroup -o memory none /cg
cat /cg/memory.limit_in_bytes
mkdir /cg/a
echo $$ > /cg/a/tasks
# Usage after allocating 4 MiB of anonymous memory: nothing until SIGUSR1.
memcg_process --mmap-anon -s 4194304 &
pid=$!
cat /cg/a/memory.usage_in_bytes
kill -USR1 $pid
cat /cg/a/memory.usage_in_bytes
cat /cg/a/memory.stat
ps -o pid,ppid,stat,rss,comm,cgroup
# The second SIGUSR1 frees it; max_usage keeps the peak until reset.
kill -USR1 $pid
cat /cg/a/memory.usage_in_bytes
cat /cg/a/memory.max_usage_in_bytes
echo 0 > /cg/a/memory.max_usage_in_bytes
cat /cg/a/memory.max_usage_in_bytes
kill -INT $pid
wait $pid; echo "memcg_process exited $?"
# Shared /dev/zero and shm pages are cache, and mapped.
memcg_process --mmap-file --shm -k 21 -s 1048576 &
pid=$!
kill -USR1 $pid
cat /cg/a/memory.usage_in_bytes
cat /cg/a/memory.stat
kill -USR1 $pid
cat /cg/a/memory.usage_in_bytes
kill -INT $pid
wait $pid
# failcnt: a 1 MiB limit with 2 MiB allocated swaps the excess out and counts failures.
echo 1M > /cg/a/memory.limit_in_bytes
memcg_process --mmap-anon -s 2097152 &
pid=$!
kill -USR1 $pid
cat /cg/a/memory.usage_in_bytes
cat /cg/a/memory.failcnt
ps -o pid,ppid,stat,rss,comm,cgroup
kill -INT $pid
wait $pid
echo -1 > /cg/a/memory.limit_in_bytes
# A moved task's charges stay behind unless move_charge_at_immigrate.
mkdir /cg/b
memcg_process --mmap-anon -s 1048576 &
pid=$!
kill -USR1 $pid
echo $pid > /cg/b/tasks
cat /cg/a/memory.usage_in_bytes /cg/b/memory.usage_in_bytes
echo $pid > /cg/a/tasks
echo 1 > /cg/b/memory.move_charge_at_immigrate
echo $pid > /cg/b/tasks
cat /cg/a/memory.usage_in_bytes /cg/b/memory.usage_in_bytes
kill -INT $pid
wait $pid
# force_empty: EBUSY with tasks; otherwise the charges move to the parent.
echo hello > /tmp/f
echo $$ > /cg/b/tasks
# /tmp/f is in the page cache already (charged to /cg/a when it was written): reading it
# charges nothing; a new file written from /cg/b is charged there.
pagecache /tmp/f
cat /cg/b/memory.usage_in_bytes
echo hello > /tmp/g
cat /cg/b/memory.usage_in_bytes
echo 1 > /cg/b/memory.force_empty
echo $$ > /cg/tasks
echo 1 > /cg/b/memory.force_empty
cat /cg/b/memory.usage_in_bytes
# Limit shrink over mlocked memory fails with EBUSY (--mmap-lock1).
memcg_process --mmap-lock1 -s 2097152 &
pid=$!
echo $pid > /cg/a/tasks
kill -USR1 $pid
cat /proc/meminfo
echo 1M > /cg/a/memory.limit_in_bytes
cat /cg/a/memory.limit_in_bytes
kill -INT $pid
wait $pid
free
# free's units: -m (MiB), -h (procps's human form), -t adds RAM + swap; a bad option is refused.
free -m
free -h -t
free -x; echo "status $?"
