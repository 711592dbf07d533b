# The cgroup2 mount options of Linux 6.6 (cgroup2_parse_param, apply_cgroup_root_flags,
# cgroup_show_options; /sys/kernel/cgroup/features) and what the memory controller does with
# two of them: memory_localevents (memcg_memory_event stops at the memcg itself) and
# memory_recursiveprot (effective_protection hands a parent's unclaimed memory.low to its
# children). Run with --kernel 6.6 by tests/it/cgroup2.rs.
cat /sys/kernel/cgroup/features
cat /sys/kernel/cgroup/delegate
mkdir -p /sys/fs/cgroup
mount -t cgroup2 -o memory_localevents none /sys/fs/cgroup
grep cgroup2 /proc/mounts
cd /sys/fs/cgroup
echo +memory > cgroup.subtree_control
mkdir A
echo +memory > A/cgroup.subtree_control
mkdir A/B
echo 0 > A/B/memory.swap.max
echo 10M > A/B/memory.max
sh -c 'echo $$ > A/B/cgroup.procs; exec memhog 20M'
dmesg -c > /dev/null
# Counted in B only.
grep oom_kill A/B/memory.events A/memory.events A/B/memory.events.local A/memory.events.local
mount -o remount none /sys/fs/cgroup
grep cgroup2 /proc/mounts
sh -c 'echo $$ > A/B/cgroup.procs; exec memhog 20M'
dmesg -c > /dev/null
# Now in B and its ancestors too (the first kill stays B's alone).
grep oom_kill A/B/memory.events A/memory.events A/B/memory.events.local A/memory.events.local
# memory_recursiveprot: A's memory.low covers B, which sets none, so reclaim from the root
# skips B first and then reclaims it counting `low` events; without the option B has no
# protection of its own and no `low` event.
echo max > A/B/memory.max
echo max > A/B/memory.swap.max
echo 50M > A/memory.low
for opts in memory_recursiveprot ""; do
  mount -o remount${opts:+,$opts} none /sys/fs/cgroup
  grep cgroup2 /proc/mounts
  echo $$ > A/B/cgroup.procs
  memhold 40M &
  sleep 1
  echo $$ > cgroup.procs
  low0=$(awk '/^low/ {print $2}' A/B/memory.events)
  echo 30M > memory.reclaim
  awk -v l=$low0 '/^low/ {print "B low events:", ($2 > l) ? "yes" : "no"}' A/B/memory.events
  kill $!
  wait
done
mount -o remount,bogus none /sys/fs/cgroup
grep cgroup2 /proc/mounts
dmesg | tail -3
