# The threshold session of docs/notifications.sh redone on cgroup v2 (Linux 6.6): memory.high
# instead of a threshold listener, memory.events instead of eventfds on
# memory.usage_in_bytes and memory.oom_control.
# `cgsim --kernel 6.6 run --echo docs/memcg-v2-walkthrough.sh` runs it; docs/memcg-v2.md
# explains each step and what the kernel changed.

# One hierarchy for every controller: mount it, give the memory controller to the children of
# the root, and make the cgroup.
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
echo +memory > cgroup.subtree_control
mkdir A

# v1's 8 MiB limits on memory and memory+swap become memory.max and memory.swap.max: swap is
# a counter of its own on v2. Values are page_counter values: "max" is unlimited.
echo 8M > A/memory.max
echo 0 > A/memory.swap.max
cat A/memory.max A/memory.swap.max A/memory.high

# The v1 session asked to be told when usage crossed 5 MiB. On v2 the kernel acts at that
# point itself: above memory.high it reclaims from the cgroup after every charge (and would
# throttle the task), and it counts each time in memory.events.
echo 5M > A/memory.high
memcg_process --mmap-anon -s 4194304 &
small=$!
echo $small > A/cgroup.procs
kill -USR1 $small
cat A/memory.current
cat A/memory.events
memcg_process --mmap-anon -s 2097152 &
big=$!
echo $big > A/cgroup.procs
kill -USR1 $big
cat A/memory.current
cat A/memory.events

# Over memory.max the charge path reclaims (a "max" event each time; with memory.swap.max 0
# nothing can be reclaimed) and then calls the OOM killer, which picks the largest task;
# v1's memory.oom_control eventfd becomes the oom and oom_kill counters.
memcg_process --mmap-anon -s 4194304 &
hog=$!
echo $hog > A/cgroup.procs
kill -USR1 $hog
sleep 1
cat A/memory.events
dmesg | grep 'Killed process' | cut -d']' -f2-
cat A/cgroup.procs

# The OOM killer took the first of the two 4 MiB tasks (a tie goes to the older one); the
# others go on. End them, and the cgroup can go.
kill -INT $big $hog
wait
rmdir A
