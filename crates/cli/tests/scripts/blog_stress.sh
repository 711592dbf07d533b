# A common blog flow: limit a shell's memory with the v1 memory controller, then run
# stress in it. With memory.memsw.limit_in_bytes set (or no swap), a worker that needs more
# than the limit is killed by the memcg OOM killer, as on a real kernel.
mkdir -p /sys/fs/cgroup/memory
mount -t cgroup -o memory cgroup /sys/fs/cgroup/memory
mount | grep cgroup
cd /sys/fs/cgroup/memory
mkdir test
cd test
echo 100M > memory.limit_in_bytes
echo 100M > memory.memsw.limit_in_bytes
cat memory.limit_in_bytes
echo $$ > tasks
cat /proc/self/cgroup
stress --vm 1 --vm-bytes 50M --timeout 5s
stress --vm 1 --vm-bytes 200M
echo $?
cat memory.failcnt
cat memory.max_usage_in_bytes
dmesg | tail -2
# Without a memory+swap limit the kernel swaps the excess out instead (the machine has
# 256 MiB of swap): the worker survives, its swap shows in memory.stat.
echo -1 > memory.memsw.limit_in_bytes
stress --vm 1 --vm-bytes 150M --vm-keep --timeout 10s &
sleep 2
grep -w rss memory.stat
grep -w swap memory.stat
wait
