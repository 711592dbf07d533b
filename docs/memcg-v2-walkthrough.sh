# The threshold session of docs/notifications.sh redone on cgroup v2 (Linux 6.6): memory.high
# instead of a threshold listener, a PSI trigger on memory.pressure and a poller of
# memory.events instead of eventfds on memory.usage_in_bytes and memory.oom_control.
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
# point itself: above memory.high it reclaims from the cgroup after every charge, and when
# reclaim cannot keep up it makes the task sleep (up to 2 s), in the middle of a large
# allocation and on its way back to user space.
# It counts each reclaim in memory.events, and PSI (memory.pressure) measures the time lost.
# Two listeners replace the eventfds: one polls memory.events for modifications, the other
# writes a PSI trigger (an event when tasks stalled 150 ms of any 1 s) and polls for it.
echo 5M > A/memory.high
events_listener A/memory.events &
psi_listener A/memory.pressure "some 150000 1000000" &
memcg_process --mmap-anon -s 4194304 &
small=$!
echo $small > A/cgroup.procs
kill -USR1 $small
cat A/memory.current
memcg_process --mmap-anon -s 2097152 &
big=$!
echo $big > A/cgroup.procs
kill -USR1 $big
cat A/memory.current

# Nothing could be reclaimed (no swap), so the second task is throttled: state D, sleeping
# the penalty calculate_high_delay computes. The stall shows in memory.pressure, in the
# root's (/proc/pressure/memory), and fires the trigger once per window while it lasts.
ps -o pid,stat,comm
sleep 3
cat A/memory.pressure
cat /proc/pressure/memory

# A third task heads for memory.max. 6.6 throttles it on the way: every 128 pages or so
# (more than a charge batch of 64 owed) the charge itself runs mem_cgroup_handle_over_high
# and the task sleeps the penalty, here the 2 s maximum, in the middle of its page faults,
# so it takes some 10 s to get there. Over memory.max the charge path reclaims (a "max"
# event each time; with memory.swap.max 0 nothing can be reclaimed) and then calls the OOM
# killer, which picks the largest task; v1's memory.oom_control eventfd becomes the oom and
# oom_kill counters.
memcg_process --mmap-anon -s 4194304 &
hog=$!
echo $hog > A/cgroup.procs
kill -USR1 $hog
sleep 15
cat A/memory.events
dmesg | grep 'Killed process' | cut -d']' -f2-
cat A/cgroup.procs

# The OOM killer took the first of the two 4 MiB tasks (a tie goes to the older one); the
# others go on. End them, and the cgroup can go; both listeners see it go.
kill -INT $big $hog
wait $big $hog
cat A/cgroup.events
rmdir A
wait
