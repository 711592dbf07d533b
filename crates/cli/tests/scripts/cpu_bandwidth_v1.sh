# The v1 cpu controller's shares and CFS bandwidth (kernel/sched/core.c; CONFIG_CFS_BANDWIDTH
# from 3.2): cpu.cfs_quota_us, cpu.cfs_period_us, cpu.stat (nr_periods, nr_throttled,
# throttled_time; 5.14+ nr_bursts, burst_time), cpu.cfs_burst_us (5.14+), cpu.idle (5.15+),
# cpu.stat.local (6.6).
# The same script on 2.6.35 (no bandwidth files), 3.10 and 6.6.
mkdir /cg
mount -t cgroup -o cpu,cpuacct none /cg
cd /cg
ls
cat cpu.cfs_quota_us cpu.cfs_period_us
cat cpu.stat
echo 50000 > cpu.cfs_quota_us
mkdir a b
cat a/cpu.cfs_quota_us a/cpu.cfs_period_us a/cpu.stat
# tg_set_cfs_bandwidth: quota and period at least 1 ms, period at most 1 s.
echo 999 > a/cpu.cfs_quota_us
echo 999 > a/cpu.cfs_period_us
echo 1000001 > a/cpu.cfs_period_us
echo -5 > a/cpu.cfs_quota_us
cat a/cpu.cfs_quota_us
echo 20000 > a/cpu.cfs_quota_us
cat a/cpu.cfs_quota_us a/cpu.cfs_period_us
# A CPU hog for 1 s in a: 20 ms of every 100 ms period.
sh -c 'echo $$ > /cg/a/tasks; stress -q --cpu 1 --timeout 1'
cat a/cpuacct.usage
cat a/cpu.stat
cat a/cpu.stat.local
# __cfs_schedulable: no group gets more per period than its nearest limited ancestor.
mkdir a/c
echo 50000 > a/c/cpu.cfs_quota_us
echo 10000 > a/c/cpu.cfs_quota_us
echo 5000 > a/cpu.cfs_quota_us
cat a/cpu.cfs_quota_us a/c/cpu.cfs_quota_us
rmdir a/c
# Shares: two hogs on one CPU for 3 s, b with twice a's shares.
echo -1 > a/cpu.cfs_quota_us
echo 512 > a/cpu.shares
sh -c 'echo $$ > /cg/a/tasks; exec 2>&1; stress -q --cpu 1 --timeout 3' &
sh -c 'echo $$ > /cg/b/tasks; stress -q --cpu 1 --timeout 3' &
wait
cat a/cpuacct.usage b/cpuacct.usage
