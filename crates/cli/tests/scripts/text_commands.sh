# grep and wc on simulated files: the forms tutorials use without a pipeline (grep cgroup /proc/mounts).
mkdir -p /sys/fs/cgroup/memory
mount -t cgroup -o memory none /sys/fs/cgroup/memory
grep cgroup /proc/mounts
grep -c memory /proc/cgroups
grep -v 0 /proc/cgroups
grep -w rss /sys/fs/cgroup/memory/memory.stat
grep nothing /proc/cgroups; echo "status $?"
grep x /nonexistent; echo "status $?"
wc -l /sys/fs/cgroup/memory/tasks
wc /proc/cgroups
grep -z x /proc/cgroups
# head and tail, as tutorials cut a long file: line and byte counts, tail's +N, headers for
# several files, coreutils' errors.
head -n 3 /sys/fs/cgroup/memory/memory.stat
cat /sys/fs/cgroup/memory/memory.stat | tail -2
tail -n +24 /sys/fs/cgroup/memory/memory.stat
head -c 5 /proc/cgroups; echo
head -1 /sys/fs/cgroup/memory/memory.failcnt /sys/fs/cgroup/memory/memory.use_hierarchy
tail -q -n 1 /sys/fs/cgroup/memory/memory.failcnt /sys/fs/cgroup/memory/memory.use_hierarchy
head -n x /proc/cgroups; echo "status $?"
tail /nonexistent; echo "status $?"
tail -f /proc/cgroups; echo "status $?"
