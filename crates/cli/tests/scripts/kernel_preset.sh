# One script on every --kernel preset (tests/it/presets.rs): what uname and /proc report, the
# files a memory cgroup has, the /proc/PID OOM files, and the OOM killer's report in dmesg
# (the machine has no swap, so 4 MiB in a 1 MiB cgroup must end in an OOM kill).
uname -r
uname -a
cat /proc/version
cat /proc/sys/kernel/ostype /proc/sys/kernel/osrelease
mkdir /cg
mount -t cgroup -o memory none /cg
mkdir /cg/a
ls /cg/a
echo x > /cg/a/tasks
echo 1M > /cg/a/memory.limit_in_bytes
echo $$ > /cg/a/tasks
ls /proc/self
cat /proc/self/oom_adj
sleep 2
dmesg -C
memcg_process --mmap-anon -s 4194304 &
pid=$!
kill -USR1 $pid
wait $pid; echo "status $?"
dmesg
cat /cg/a/memory.oom_control
