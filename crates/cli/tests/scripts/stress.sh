# Amos Waterland's stress 1.0.4: forked vm workers malloc and touch memory in their memory
# cgroup; the parent reports how each ended, with stress.c's line numbers.
mkdir /cg
mount -t cgroup -o memory none /cg
mkdir /cg/s
echo 64M > /cg/s/memory.limit_in_bytes
echo 64M > /cg/s/memory.memsw.limit_in_bytes
echo $$ > /cg/s/tasks
# Fits: the worker holds its memory until the alarm (SIGALRM ends a worker normally).
stress --vm 1 --vm-bytes 32M --timeout 3s; echo "status $?"
cat /cg/s/memory.max_usage_in_bytes
# -v: the dispatch and each worker's steps; --vm-hang frees and allocates again every N s.
stress -v --vm 2 --vm-bytes 8M --vm-hang 1 --timeout 2s; echo "status $?"
# Too big: the memcg OOM killer kills the worker; stress reports signal 9 and fails.
stress --vm 1 --vm-bytes 100M; echo "status $?"
dmesg | tail -2
# Two workers that fit alone but not together: one is killed, the other reaped with SIGUSR1.
stress -v --vm 2 --vm-bytes 40M --vm-keep --timeout 10s; echo "status $?"
cat /cg/s/memory.usage_in_bytes
# -q keeps only FAIL messages; --cpu workers sleep (CPU time is not modelled); -n forks
# workers that exit at once.
stress -q --cpu 2 --vm 1 --vm-bytes 1M --timeout 1s; echo "status $?"
stress -n --cpu 1 --io 1; echo "status $?"
# In the background: the worker's memory is charged while it runs.
stress --vm 1 --vm-bytes 16M --vm-keep --timeout 30s &
sleep 1
cat /cg/s/memory.usage_in_bytes
ps -o pid,ppid,user,stat,rss,comm,cgroup
wait; echo "status $?"
cat /cg/s/memory.usage_in_bytes
# Bad arguments: FAIL with the line of stress.c that checks them, status 1.
stress --vm; echo "status $?"
stress --vm -1; echo "status $?"
stress --vm 1 --vm-bytes 10Q; echo "status $?"
stress --vm 0; echo "status $?"
stress --timeout 0 --vm 1; echo "status $?"
stress --vm 1 --vm-hang -2; echo "status $?"
stress --vm 1 --vm-bytes 1M --vm-stride x1; echo "status $?"
stress --bogus; echo "status $?"
stress --hdd 1; echo "status $?"
stress --version; echo "status $?"
stress | head -3; echo "status $?"
