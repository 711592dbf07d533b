# cgsim --kernel 6.6 run --echo docs/book/src/ch12/cpu.sh
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
echo +cpu > cgroup.subtree_control
mkdir web batch
echo 200 > web/cpu.weight
# Two CPU hogs on the same CPU for 3 seconds.
sh -c 'echo $$ > web/cgroup.procs; stress -q --cpu 1 --timeout 3' &
sh -c 'echo $$ > batch/cgroup.procs; stress -q --cpu 1 --timeout 3' &
wait
grep usage_usec web/cpu.stat batch/cpu.stat
# Now batch may use 20 ms of CPU per 100 ms period, and runs alone.
echo "20000 100000" > batch/cpu.max
sh -c 'echo $$ > batch/cgroup.procs; stress -q --cpu 1 --timeout 3'
cat batch/cpu.stat
cat batch/cpu.pressure
