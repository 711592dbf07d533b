# Simulated CPU time (crates/cgroupfs/src/cputime.rs): each shell command costs 5 us of user
# time, fork 20 us and execve 50 us of system time, each program step 1 us; the clock moves
# as the CPUs are busy. A busy loop in the background shares the CPU with the shell and does
# not keep `sleep 1` from ending after one simulated second (dash ends it the same way).
mkdir -p /cgroup/cpuacct
mount -t cgroup -o cpuacct none /cgroup/cpuacct
mkdir /cgroup/cpuacct/busy
date +%s.%N
while true; do :; done &
b=$!
echo $b > /cgroup/cpuacct/busy/tasks
sleep 1
date +%s.%N
# The time since boot, and the idle time of the two CPUs together (CPU 1 idled throughout).
cat /proc/uptime
cut -d' ' -f1-3,14-15 /proc/$b/stat
# procps's TIME is utime + stime in whole seconds.
ps -o pid,time,bsdtime,comm -p $b
kill $b
wait $b; echo $?
cat /cgroup/cpuacct/busy/cpuacct.usage /cgroup/cpuacct/cpuacct.usage
# Without a busy task, time passes only by what the commands cost.
date +%s.%N
for i in 1 2 3 4 5 6 7 8 9 10; do :; done
date +%s.%N
times
