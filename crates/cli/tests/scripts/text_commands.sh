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
