# A page fault's charge and the munmap's uncharge as function_graph shows them, under the
# preset's own function names (`KernelVersion::trace_symbols`): 2.6.35's
# `mem_cgroup_charge_common` → `__mem_cgroup_try_charge`, 3.19's and 4.19's
# `mem_cgroup_try_charge` → `try_charge` and `mem_cgroup_uncharge` → `uncharge_batch`,
# 6.6's `__mem_cgroup_charge` → `charge_memcg` → `try_charge_memcg`.
trace --summary off
mkdir /cg
mount -t cgroup -o memory none /cg
mkdir /cg/a
echo $$ > /cg/a/tasks
memcg_process --mmap-anon -s 8192 &
pid=$!
trace on
kill -USR1 $pid
kill -USR1 $pid
trace off
kill -INT $pid
wait $pid; echo "memcg_process: exit status $?"
cat /cg/a/memory.usage_in_bytes
