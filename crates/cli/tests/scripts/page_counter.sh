# The memory controller's counter: res_counter up to 3.18 (bytes), page_counter from 3.19
# (pages; `mm/page_counter.c` `page_counter_memparse`, `include/linux/page_counter.h`
# `PAGE_COUNTER_MAX`). Run on 2.6.35, 3.19 and 4.19 by tests/it/presets.rs.
mkdir /cg
mount -t cgroup -o memory none /cg
mkdir /cg/a
cat /cg/a/memory.limit_in_bytes /cg/a/memory.memsw.limit_in_bytes /cg/a/memory.soft_limit_in_bytes
echo 1 > /cg/a/memory.limit_in_bytes
cat /cg/a/memory.limit_in_bytes
echo 4097 > /cg/a/memory.limit_in_bytes
cat /cg/a/memory.limit_in_bytes
echo 6143 > /cg/a/memory.soft_limit_in_bytes
cat /cg/a/memory.soft_limit_in_bytes
echo 1T > /cg/a/memory.soft_limit_in_bytes
cat /cg/a/memory.soft_limit_in_bytes
echo 9223372036854775807 > /cg/a/memory.limit_in_bytes
cat /cg/a/memory.limit_in_bytes
echo 256k > /cg/a/memory.limit_in_bytes
echo $$ > /cg/a/tasks
memhold 1M &
sleep 1
cat /cg/a/memory.max_usage_in_bytes /cg/a/memory.failcnt
dmesg | grep memory
echo 0 > /cg/a/memory.max_usage_in_bytes
cat /cg/a/memory.max_usage_in_bytes /cg/a/memory.usage_in_bytes
