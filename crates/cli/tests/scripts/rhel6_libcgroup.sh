# Red Hat Enterprise Linux 6 Resource Management Guide, chapter 2 ("Using Control Groups"),
# with libcgroup 0.41 as RHEL 6 ships it: the cgconfig service's cgconfigparser, lssubsys,
# cgcreate, cgset, cgget, cgexec, cgclassify, cgsnapshot, cgdelete and cgclear.
# 2.2: the cgconfig service applies /etc/cgconfig.conf.
echo 'mount {
	cpuset  = /cgroup/cpuset;
	cpu     = /cgroup/cpu;
	cpuacct = /cgroup/cpuacct;
	memory  = /cgroup/memory;
}' > /etc/cgconfig.conf
cgconfigparser -l /etc/cgconfig.conf
# 2.3: listing subsystems and their mount points.
lssubsys -am
lssubsys -m cpu memory
# 2.5: creating cgroups.
cgcreate -g cpu,cpuacct:/lab1
cgcreate -g memory:/lab1 -g memory:/lab2
lscgroup
# 2.7: setting parameters.
cgset -r cpuset.cpus=0 /
cgset -r cpu.shares=800 lab1
cgset -r memory.limit_in_bytes=4M lab1
cgget -r cpu.shares -r memory.limit_in_bytes lab1
cgset --copy-from lab1 lab2
cgget -n -r memory.limit_in_bytes lab2
# 2.8: moving a process; 2.9: starting a process in a group.
sleep 1000 &
cgclassify -g cpu,memory:lab1 $!
cat /proc/$!/cgroup
cgexec -g memory:lab2 sh -c 'cat /proc/self/cgroup | grep memory'
# 2.10: cgsnapshot writes the configuration back.
cgsnapshot -s
# 2.11: displaying parameters.
cgget -g memory:/lab1 | head -8
cgget -r memory.stat lab1 | head -4
# 2.6: removing cgroups (tasks go back to the parent).
cgdelete cpu,cpuacct,memory:/lab1
cat /proc/$!/cgroup
cgdelete memory:/lab2
lscgroup
kill $!
# 2.12: unloading the control groups (service cgconfig stop).
cgclear
lssubsys -am
