# /proc/sys/kernel/shmmax (ipc/ipc_sysctl.c, kernel/sysctl.c __do_proc_doulongvec_minmax, v2.6.35):
# 32 MiB at boot before 3.16; root writes an unsigned long; a negative number is skipped;
# anything else that does not parse is EINVAL; mode 0644, so others cannot open it to write.
cat /proc/sys/kernel/shmmax
ls -l /proc/sys/kernel/shmmax
echo 268435456 > /proc/sys/kernel/shmmax; echo "st $?"
cat /proc/sys/kernel/shmmax
echo -5 > /proc/sys/kernel/shmmax; echo "st $?"
cat /proc/sys/kernel/shmmax
echo 0x1000 > /proc/sys/kernel/shmmax; cat /proc/sys/kernel/shmmax
echo abc > /proc/sys/kernel/shmmax; echo "st $?"
echo 12x > /proc/sys/kernel/shmmax; echo "st $?"
cat /proc/sys/kernel/shmmax
su nobody -s /bin/sh -c 'echo 1 > /proc/sys/kernel/shmmax'; echo "st $?"
