# swapon/swapoff (mm/swapfile.c): the machine's one swap area is /dev/sda2. swapoff brings every
# swapped page back into memory, charged to the memcg that owned the swap entry; it fails with
# ENOMEM when that memcg cannot take them.
cat /proc/swaps
mkdir /cg
mount -t cgroup -o memory none /cg
mkdir /cg/a
echo 1M > /cg/a/memory.limit_in_bytes
echo $$ > /cg/a/tasks
memhold 2M &
sleep 1
grep swap /cg/a/memory.stat
swapon -s
# The memcg is at its limit: the swapped pages cannot come back.
swapoff -a
cat /proc/swaps
# With room, they can; memsw.usage_in_bytes does not change (the pages only move).
cat /cg/a/memory.memsw.usage_in_bytes
echo 4M > /cg/a/memory.limit_in_bytes
swapoff /dev/sda2
cat /proc/swaps
grep swap /cg/a/memory.stat
cat /cg/a/memory.memsw.usage_in_bytes
free
swapoff /dev/sda2
swapon /dev/sda2
swapon /dev/sda2
swapon /tmp
swapon /nonexistent
dmesg | grep swap
setpriv --reuid=1000 swapoff -a
