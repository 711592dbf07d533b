# dd, as memory-cgroup tutorials use it: every page written to a file is page cache, dirty,
# charged as cache to the writer's memcg; past the limit, reclaim writes dirty pages back and
# frees them, so usage stays at the limit while the file grows beyond it. dd's own block buffer
# (bs bytes of anonymous memory) is charged as rss while it runs.
mkdir /cg
mount -t cgroup -o memory none /cg
mkdir /cg/a
echo 4M > /cg/a/memory.limit_in_bytes
echo $$ > /cg/a/tasks
dd if=/dev/zero of=/tmp/file bs=1M count=10
ls -l /tmp/file
cat /cg/a/memory.usage_in_bytes /cg/a/memory.max_usage_in_bytes
grep -w cache /cg/a/memory.stat
grep -w rss /cg/a/memory.stat
grep -w pgpgin /cg/a/memory.stat
# Reading the file back brings reclaimed pages into the page cache again, charged to the reader.
echo 0 > /cg/a/memory.max_usage_in_bytes
dd if=/tmp/file of=/dev/null bs=64K
cat /cg/a/memory.max_usage_in_bytes
# Short and partial records, status levels, a pipe.
dd if=/tmp/file bs=1000 count=2 status=noxfer | wc -c
echo hello | dd
dd if=/dev/zero bs=1 count=3 status=none | wc -c
# Errors, with coreutils' messages; an endless input needs count= unless a file will fill up.
dd if=/nonexistent of=/tmp/x; echo "status $?"
dd if=/dev/zero; echo "status $?"
dd bs=0; echo "status $?"
dd bs=1Q count=1; echo "status $?"
dd status=loud; echo "status $?"
dd nonsense; echo "status $?"
# Other readers of /dev/zero: head -c stops by itself; cat would never end.
head -c 5 /dev/zero | wc -c
cat /dev/zero; echo "status $?"
wc -c < /dev/zero; echo "status $?"
ls -l /dev
