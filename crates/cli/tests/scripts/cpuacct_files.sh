# cpuacct's files (kernel/sched.c, 2.6.35): usage, usage_percpu (2.6.29) and stat (2.6.30),
# fed by the simulated CPU time of the group's tasks; writing 0 resets the usage, not the stat.
mkdir -p /cgroup/cpuacct
mount -t cgroup -o cpuacct none /cgroup/cpuacct
cd /cgroup/cpuacct
ls
mkdir busy
while true; do :; done &
echo $! > busy/tasks
sleep 2
kill $!
cat busy/cpuacct.usage busy/cpuacct.usage_percpu busy/cpuacct.stat
cat cpuacct.stat
echo 1 > busy/cpuacct.usage
echo 0 > busy/cpuacct.usage
cat busy/cpuacct.usage busy/cpuacct.usage_percpu busy/cpuacct.stat
