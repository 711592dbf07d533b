# RHEL 6 Resource Management Guide 2.1.1 and 2.2: the /etc/cgconfig.conf that RHEL 6's
# libcgroup package installs mounts each of the eight subsystems on its own hierarchy under
# /cgroup; `service cgconfig start` applies it (cgconfigparser -l), then the guide's
# subsystem chapters: devices (security/device_cgroup.c), freezer (kernel/cgroup_freezer.c),
# net_cls (net/sched/cls_cgroup.c) and blkio (block/blk-cgroup.c) of 2.6.35.
cat > /etc/cgconfig.conf <<'CONF'
mount {
	cpuset	= /cgroup/cpuset;
	cpu	= /cgroup/cpu;
	cpuacct	= /cgroup/cpuacct;
	memory	= /cgroup/memory;
	devices	= /cgroup/devices;
	freezer	= /cgroup/freezer;
	net_cls	= /cgroup/net_cls;
	blkio	= /cgroup/blkio;
}
CONF
service cgconfig start; echo "status $?"
lssubsys -am
lssubsys -a
# cgconfigparser mounts with mount(2) (libcgroup 0.41 src/config.c): RHEL 6's mount(8) lists
# /etc/mtab, which does not have them; the kernel's table does.
mount -t cgroup
grep cgroup /proc/mounts
cat /proc/cgroups
cat /proc/$$/cgroup
ls /cgroup
ls /cgroup/devices
cat /cgroup/devices/devices.list
ls /cgroup/freezer /cgroup/net_cls /cgroup/blkio
# A group in all four, a sleep in it, frozen and thawed (a frozen task sits in the
# refrigerator in TASK_UNINTERRUPTIBLE: ps shows D).
cgcreate -g devices,freezer,net_cls,blkio:/test
cgsnapshot -s devices freezer net_cls blkio
sleep 1000 &
cgclassify -g freezer:/test $!
cat /cgroup/freezer/test/tasks
cat /cgroup/freezer/test/freezer.state
echo FROZEN > /cgroup/freezer/test/freezer.state
cat /cgroup/freezer/test/freezer.state
ps -o pid,stat,comm
cgget -r freezer.state /test
echo THAWED > /cgroup/freezer/test/freezer.state
cat /cgroup/freezer/test/freezer.state
ps -o pid,stat,comm
# net_cls: the class id 10:1 as 0xAAAABBBB, read back in decimal.
echo 0x100001 > /cgroup/net_cls/test/net_cls.classid
cat /cgroup/net_cls/test/net_cls.classid
cgget -r net_cls.classid /test
# blkio: the weight of the group and of the top cgroup.
cat /cgroup/blkio/blkio.weight /cgroup/blkio/test/blkio.weight
cgset -r blkio.weight=200 test
cgget -r blkio.weight test
# devices: deny /dev/null to a shell in test.
echo 'c 1:3 rwm' > /cgroup/devices/test/devices.deny
cat /cgroup/devices/test/devices.list
sh -c 'echo $$ > /cgroup/devices/test/tasks; echo x > /dev/null; echo "status $?"'
echo x > /dev/null; echo "status $?"
lscgroup
cgdelete -g devices,freezer,net_cls,blkio:/test; echo "status $?"
