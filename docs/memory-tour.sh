# cgsim memory tour: the memory controller walkthrough of Documentation/cgroups/memory.txt, on a simulated
# Linux 2.6.35 (1 GiB RAM, 256 MiB swap; `--kernel` picks another version).
# `cgsim tour --memory` runs it and writes the pictures its `dot` commands take, with an
# index.html, into ./memory-tour; `cgsim run docs/memory-tour.sh` runs it too (`dot` then
# prints DOT text). `trace on` / `trace off` choose which commands print the kernel's
# function_graph call tree; a long trace is folded (`/* ×N */` marks repeated calls).

# Mount the memory controller: every memory cgroup gets the memory.* files.
mkdir -p /sys/fs/cgroup/memory
mount -t cgroup -o memory none /sys/fs/cgroup/memory
cd /sys/fs/cgroup/memory
cat memory.limit_in_bytes

# A cgroup with a 1 MiB limit. The value is parsed like the kernel's memparse (K, M, G) and
# rounded up to whole pages. memsw (memory + swap) gets the same limit, so the excess cannot
# simply be swapped out.
mkdir M
echo 1M > M/memory.limit_in_bytes
echo 1M > M/memory.memsw.limit_in_bytes
cat M/memory.limit_in_bytes M/memory.memsw.limit_in_bytes

# Attach the shell: what its children allocate is charged to M.
echo $$ > M/tasks

# A SysV shared memory segment of 1008 KiB: memcg_process allocates it on SIGUSR1 (every page
# touched, charged as cache to M). SIGKILL ends the process without IPC_RMID, so the segment
# and its charge outlive it: shm pages belong to no process. The charges came 32 pages at a
# time (2.6.35's CHARGE_SIZE); the last batch's unused pages wait in the CPU's stock, charged
# already, so usage_in_bytes is the whole 1 MiB.
memcg_process --shm -k 42 -s 1032192 &
shm=$!
kill -USR1 $shm
kill -9 $shm
wait $shm; echo "memcg_process: exit status $?"
cat M/memory.usage_in_bytes

# Reading a file brings it into the page cache: charged as cache too, from the stock (three
# pages of it are left).
echo "some data for the page cache" > /tmp/file
pagecache /tmp/file
cat M/memory.stat

# Now five more pages. Three come from the stock (consume_stock). For the fourth the stock is
# empty: res_counter_charge fails for 32 pages, then for one, and reclaim
# (try_to_free_mem_cgroup_pages) deactivates the page-cache page, writes it back (echo left it
# dirty), frees it, and the charge is retried. The fifth finds nothing to reclaim (shm pages
# could only be swapped out, and the memsw limit forbids that): after
# MEM_CGROUP_RECLAIM_RETRIES rounds the memcg OOM killer (mem_cgroup_out_of_memory) scores the
# tasks with 2.6.35's badness(): total_vm, plus half of each child's, divided by 16 for a
# root task. Both the shell (whose own mm is empty here) and its child score 0, and the first
# in the task list wins: the shell. oom_kill_process then kills its first child with its own
# mm instead ("kill process 2 (sh) score 0 or a child"): the faulting task. Its exit path
# uncharges what it had; dmesg has the whole OOM report.
memcg_process --mmap-anon -s 20480 &
pid=$!
dmesg -C
trace on
kill -USR1 $pid
trace off
wait $pid; echo "memcg_process: exit status $?"
dmesg
cat M/memory.usage_in_bytes M/memory.max_usage_in_bytes M/memory.failcnt
# M's counters: usage back to the shm segment, max_usage at the limit, failcnt counting the
# charges that failed.
dot memcg --focus /M

# With oom_kill_disable the task that would be killed waits instead (state D) and under_oom
# is 1, until the limit is raised.
echo 1 > M/memory.oom_control
memhold 1M &
waiter=$!
ps -o pid,ppid,stat,rss,comm,cgroup
cat M/memory.oom_control
# The waiting task asleep on M's OOM wait queue, and under_oom 1.
dot memcg --focus /M
echo 4M > M/memory.memsw.limit_in_bytes
echo 4M > M/memory.limit_in_bytes
ps -o pid,ppid,stat,rss,comm,cgroup
cat M/memory.oom_control

# A hierarchy: with use_hierarchy the children's res_counters point at their parent's, so a
# charge in M/child counts against M's limit too.
echo $$ > tasks
mkdir H
echo 1 > H/memory.use_hierarchy
mkdir H/child
cat H/child/memory.use_hierarchy
# Each mem_cgroup embeds its css; H/child's res.parent points at H's counter.
dot css

# Totals for the whole machine.
free
kill $waiter
wait
