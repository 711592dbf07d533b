# Simulated CPU time on 6.6: cpu.stat (cgroup_base_stat_cputime_show), cpu.pressure from
# tasks waiting for a CPU (kernel/sched/psi.c: some while a task of the group waits, full at
# the cgroup level while none of its tasks runs), and memory.pressure's full below some when
# a task of the group runs on the CPU of a stalled one (PSI_MEM_FULL needs every non-idle
# task stalled). Children start on their parent's CPU, so the tasks below share CPU 0.
mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
echo +memory > cgroup.subtree_control
mkdir A B
echo $$ > A/cgroup.procs
# Two busy loops in A, one in B: A waits (some) but always has a task running (full 0); B
# waits while A's run (some = full).
while true; do :; done &
a1=$!
while true; do :; done &
a2=$!
sh -c 'echo $$ > /sys/fs/cgroup/B/cgroup.procs; while true; do :; done' &
b=$!
sleep 1
kill $a1 $a2 $b
wait
cat A/cpu.stat B/cpu.stat
cat A/cpu.pressure B/cpu.pressure /proc/pressure/cpu
# memory.high with nothing reclaimable: memcg_process sleeps its penalty in a memory stall
# while a busy sibling runs on its CPU: some, not full.
echo 0 > A/memory.swap.max
echo 1M > A/memory.high
while true; do :; done &
b=$!
memcg_process --mmap-anon -s 2097152 &
p=$!
kill -USR1 $p
sleep 1
kill -KILL $p $b
wait
cat A/memory.pressure
cat A/io.pressure
