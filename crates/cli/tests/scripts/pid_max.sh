# kernel.pid_max (kernel/sysctl.c, kernel/pid.c, v2.6.35): 32768 by default, writable by root
# between pid_max_min (301) and PID_MAX_LIMIT (4194304); anything else is EINVAL.
cat /proc/sys/kernel/pid_max
ls -l /proc/sys/kernel/pid_max
echo 300 > /proc/sys/kernel/pid_max
echo 4194305 > /proc/sys/kernel/pid_max
echo 12ab > /proc/sys/kernel/pid_max
cat /proc/sys/kernel/pid_max
echo 100000 > /proc/sys/kernel/pid_max
cat /proc/sys/kernel/pid_max
echo 0x8000 > /proc/sys/kernel/pid_max
cat /proc/sys/kernel/pid_max
