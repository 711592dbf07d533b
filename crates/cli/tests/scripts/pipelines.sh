# Pipelines through a kernel pipe (fs/pipe.c): every stage is a forked process, all run
# concurrently (so `wc` is in `tasks` while `cat` reads it), and the status is the last stage's.
mkdir -p /sys/fs/cgroup/memory
mount -t cgroup -o memory none /sys/fs/cgroup/memory
mount | grep cgroup
cat /proc/cgroups | grep memory
cat /sys/fs/cgroup/memory/tasks | wc -l
echo hello | cat
echo $$ | cat /proc/self/cgroup - | wc -l
x=$(cat /proc/mounts | grep -c cgroup); echo "cgroup mounts: $x"
false | true; echo "status $?"
cat /sys/fs/cgroup/memory/memory.usage_in_bytes | cat
ls /nonexistent | wc -l
echo a |
 cat
