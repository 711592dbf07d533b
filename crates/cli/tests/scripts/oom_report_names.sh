# The names in 2.6.35's OOM report: cpuset_print_task_mems_allowed prints the last component of
# the task's cpuset cgroup; mem_cgroup_print_oom_info the task's memory cgroup (/B/C) and the
# one whose limit was hit (/B, hierarchical through use_hierarchy), with B's counters.
mkdir -p /cg/cpuset /cg/mem
mount -t cgroup -o cpuset none /cg/cpuset
mount -t cgroup -o memory none /cg/mem
mkdir /cg/cpuset/A /cg/mem/B
echo 1 > /cg/mem/B/memory.use_hierarchy
mkdir /cg/mem/B/C
echo 0 > /cg/cpuset/A/cpuset.cpus
echo 0 > /cg/cpuset/A/cpuset.mems
echo 1M > /cg/mem/B/memory.limit_in_bytes
echo 1M > /cg/mem/B/memory.memsw.limit_in_bytes
echo $$ > /cg/cpuset/A/tasks
echo $$ > /cg/mem/B/C/tasks
dmesg -C
memcg_process --mmap-anon -s 4194304 &
kill -USR1 $!
wait $!; echo "status $?"
dmesg
