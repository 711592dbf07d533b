# PSI for memory on 6.6 (kernel/sched/psi.c, mm/memcontrol.c): the pressure files, trigger
# parsing and its errors, one trigger per open file, the memory.high throttling sleep as a
# memory stall, poll wake-ups on cgroup.events and memory.events, the listeners' usage.
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
echo +memory > cgroup.subtree_control
mkdir A
ls -l A/memory.pressure A/io.pressure A/cpu.pressure A/cgroup.pressure | awk '{print $1, $NF}'
ls -l /proc/pressure | awk '{print $1, $NF}'
cat A/io.pressure A/cpu.pressure A/cgroup.pressure
cat /proc/pressure/cpu

# psi_trigger_create: sscanf("some %u %u"), window 1 us..10 s, threshold 1..window.
echo "some 150000 1000000" > A/memory.pressure; echo $?
echo "some150000 1000000" > A/memory.pressure; echo $?
echo "full 1 1" > A/memory.pressure; echo $?
echo "some 0 1000000" > A/memory.pressure
echo "some 1000001 1000000" > A/memory.pressure
echo "some 1 10000001" > A/memory.pressure
echo "some 1 0" > A/memory.pressure
echo "some -1 1000000" > A/memory.pressure
echo "some 150000x 1000000" > A/memory.pressure
echo "Some 150000 1000000" > A/memory.pressure
echo "some 150000" > A/memory.pressure
# One trigger per open file: EBUSY for a second write on the same fd.
exec 3> A/memory.pressure
echo "some 150000 1000000" >&3
echo "full 150000 1000000" >&3
exec 3>&-
# /proc/pressure/memory takes at most 32 bytes and makes the last one the NUL: without a
# newline the window loses its last digit, here below the threshold (EINVAL).
printf 'some 150000 1000000' > /proc/pressure/memory
printf 'some 15000 1000000' > /proc/pressure/memory; echo $?
printf '%s\n' 'some 150000 1000000' > /proc/pressure/memory; echo $?

# The listeners.
psi_listener --help
psi_listener -x
psi_listener a b c
psi_listener /nonexistent/memory.pressure
psi_listener A/memory.pressure "some 0 1000000"
events_listener
events_listener --bogus
events_listener A/nothing.events

# memory.high with nothing reclaimable: the task sleeps its penalty in state D and the stall
# shows in A, in the root (psi_system) and fires the trigger.
echo 0 > A/memory.swap.max
echo 1M > A/memory.high
events_listener A/memory.events &
events_listener A/cgroup.events &
psi_listener A/memory.pressure "full 100000 1000000" &
sleep 2
memcg_process --mmap-anon -s 2097152 &
p=$!
echo $p > A/cgroup.procs
kill -USR1 $p
ps -o pid,stat,comm -p $p
sleep 1
cat A/memory.pressure
# SIGINT waits for the end of the sleep (TASK_KILLABLE: memcg_process catches it); SIGKILL
# does not.
kill -INT $p
ps -o pid,stat,comm -p $p
kill -KILL $p
wait $p
cat A/memory.pressure /proc/pressure/memory
# The trigger's last event was held back by its once-per-window limit, not dropped.
sleep 10
cat A/memory.pressure
rmdir A
wait
