# A page fault on the default hierarchy of 6.6: `__mem_cgroup_charge` → `charge_memcg` →
# `try_charge_memcg` charges `memory` alone (one `page_counter_try_charge` per attempt:
# `do_memsw_account()` is false on cgroup v2, so there is no memory+swap counter), and the
# munmap's `uncharge_batch` uncharges it alone.
trace --summary off
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
echo +memory > cgroup.subtree_control
mkdir a
echo $$ > a/cgroup.procs
memcg_process --mmap-anon -s 8192 &
pid=$!
trace on
kill -USR1 $pid
kill -USR1 $pid
trace off
kill -INT $pid
wait $pid; echo "memcg_process: exit status $?"
# The charge batch of 64 pages stays in the CPU's stock, charged.
cat a/memory.current
