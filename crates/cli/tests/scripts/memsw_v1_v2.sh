# 6.6 charges the memory+swap counter only while the memory controller is bound to a v1
# hierarchy (`do_memsw_account()`: `!cgroup_subsys_on_dfl(memory_cgrp_subsys)`).
# On a v1 hierarchy: a swapped-out page leaves memory.usage_in_bytes and stays in
# memory.memsw.usage_in_bytes (`mem_cgroup_swapout`).
mkdir -p /cg
mount -t cgroup -o memory none /cg
mkdir /cg/a
echo 4M > /cg/a/memory.limit_in_bytes
echo $$ > /cg/a/tasks
memhold 8M &
sleep 1
cat /cg/a/memory.usage_in_bytes /cg/a/memory.memsw.usage_in_bytes
grep -E '^(rss|swap) ' /cg/a/memory.stat
kill $!
wait
echo $$ > /cg/tasks
rmdir /cg/a
umount /cg
# Back on the default hierarchy: memory.current and memory.swap.current are separate
# counters, and memory.swap.max limits the swap alone.
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
echo +memory > cgroup.subtree_control
mkdir a
echo 4M > a/memory.max
echo 2M > a/memory.swap.max
echo $$ > a/cgroup.procs
memhold 5M &
sleep 1
cat a/memory.current a/memory.swap.current a/memory.swap.peak
cat a/memory.swap.events
kill $!
wait
cat a/memory.swap.current
# The controller moves to a v1 hierarchy only while it has no css below the root, dying ones
# included (`rebind_subsystems`: EBUSY): a removed memcg whose tmpfs pages still hold it
# keeps memory on the default hierarchy until the pages go.
echo $$ > cgroup.procs
rmdir a
mkdir b
echo $$ > b/cgroup.procs
dd if=/dev/zero of=/tmp/f bs=4096 count=16 2>/dev/null
echo $$ > cgroup.procs
rmdir b
echo -memory > cgroup.subtree_control
cat cgroup.stat
mount -t cgroup -o memory none /cg; echo "mount status $?"
rm /tmp/f
cat cgroup.stat
mount -t cgroup -o memory none /cg; echo "mount status $?"
cat /cg/memory.memsw.usage_in_bytes > /dev/null && echo "memory.memsw.* is back"
