# Red Hat Enterprise Linux 6 Resource Management Guide, chapter 2 ("Using Control Groups"),
# pasted section by section (lynx replaced by sleep) on the default 2.6.35 preset with
# libcgroup 0.41. The libcgroup RPM owns the directory /cgroup, which the 2.6 presets have.
ls -ld /cgroup
# 2.1 The cgconfig Service (rhel6_service_cgconfig runs it in full): stopped at first.
service cgconfig status; echo "status $?"
chkconfig --list cgconfig
# 2.2 Creating a Hierarchy and Attaching Subsystems
mkdir /cgroup/cpu_and_mem
mount -t cgroup -o cpu,cpuset,memory cpu_and_mem /cgroup/cpu_and_mem
lssubsys -am
# 2.3 Attaching Subsystems to, and Detaching Them From, an Existing Hierarchy
mount -t cgroup -o remount,cpu,cpuset,cpuacct,memory cpu_and_mem /cgroup/cpu_and_mem
lssubsys -am
mount -t cgroup -o remount,cpu,cpuset,memory cpu_and_mem /cgroup/cpu_and_mem
lssubsys -am
# cpuacct back, for 2.7's cpuacct.usage examples.
mount -t cgroup -o remount,cpu,cpuset,cpuacct,memory cpu_and_mem /cgroup/cpu_and_mem
# 2.5 Creating Control Groups: Example 2.5 has net_cls in its own hierarchy.
mkdir /cgroup/net
mount -t cgroup -o net_cls net /cgroup/net
cgcreate -g cpu,net_cls:/test-subgroup
ls -d /cgroup/cpu_and_mem/test-subgroup /cgroup/net/test-subgroup
mkdir /cgroup/cpu_and_mem/group1
# With a child group the hierarchy can no longer be rebound (rebind_subsystems: EBUSY).
mount -t cgroup -o remount,cpu,cpuset,memory cpu_and_mem /cgroup/cpu_and_mem; echo "status $?"
# 2.6 Removing Control Groups
cgdelete cpu,net_cls:/test-subgroup
ls /cgroup/net
# 2.7 Setting Parameters
cd /cgroup/cpu_and_mem
cgset -r cpuset.cpus=0-1 group1
cgset -r cpuacct.usage=0 /
cgset -r cpuacct.usage=0 .
cgset -r cpuacct.usage=0 group1
cgset -r cpuacct.usage=0 group1/
echo 0-1 > /cgroup/cpu_and_mem/group1/cpuset.cpus
cat /cgroup/cpu_and_mem/group1/cpuset.cpus
mkdir /cgroup/cpu_and_mem/group1/subgroup1
cgset -r cpuset.cpus=0 group1
# 2.7's warning: a child cannot have CPUs its parent lacks. The kernel refuses the write
# (EACCES), but 0.41's cgset copies the values without their dirty flags, so
# cgroup_modify_cgroup ignores the failure: no message, status 0, cpuset.cpus stays empty.
cgset -r cpuset.cpus=0-1 group1/subgroup1; echo "status $?"
cat /cgroup/cpu_and_mem/group1/subgroup1/cpuset.cpus
echo 0-1 > /cgroup/cpu_and_mem/group1/subgroup1/cpuset.cpus
cgset -r cpuset.cpus=0-1 group1
mkdir /cgroup/cpu_and_mem/group2
cgset --copy-from group1/ group2/
cgget -r cpuset.cpus group2
cd /
# 2.8 Moving a Process to a Control Group (a task needs cpuset.mems first).
echo 0 > /cgroup/cpu_and_mem/group1/cpuset.mems
sleep 1000 &
SLEEP=$!
cgclassify -g cpu,memory:group1 $SLEEP
echo $SLEEP > /cgroup/cpu_and_mem/group1/tasks
cat /cgroup/cpu_and_mem/group1/tasks
# 2.9 Starting a Process in a Control Group
cgexec -g cpu:group1 sleep 1 &
sh -c "echo \$$ > /cgroup/cpu_and_mem/group1/tasks && cat /proc/self/cgroup"
# 2.10 The cgred Service (rhel6_cgred runs it in full): stopped.
service cgred status; echo "status $?"
# 2.11 Obtaining Information About Control Groups
ps -O cgroup
cat /proc/$SLEEP/cgroup
cat /proc/cgroups
lssubsys -m cpu memory
ls /cgroup
lscgroup
lscgroup cpuset:group1
cgget -r cpuset.cpus group1
cgget -r cpuset.cpus -r memory.limit_in_bytes group1 group2
cgget -g cpuset /
# 2.4 Unmounting a Hierarchy; 2.12 Unloading Control Groups
umount /cgroup/net
kill $SLEEP
cgclear
lssubsys -am
