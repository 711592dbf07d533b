# RHEL 6 Resource Management Guide 2.1 ("The cgconfig Service"): `service cgconfig start`
# runs libcgroup 0.41's init script (scripts/init.d/cgconfig.in): cgconfigparser -l
# /etc/cgconfig.conf, then (CREATE_DEFAULT=yes in /etc/sysconfig/cgconfig) the default group
# sysdefault/ in every hierarchy with every process in it; `chkconfig cgconfig on` enables it
# in runlevels 2-5; `service cgconfig stop` is cgclear. The [  OK  ] box is the RHEL 6
# functions' ESC[60G and colours, as the real script writes it.
service cgconfig status; echo "status $?"
chkconfig --list cgconfig
echo 'mount {
	cpuset  = /cgroup/cpuset;
	cpu     = /cgroup/cpu;
	cpuacct = /cgroup/cpuacct;
	memory  = /cgroup/memory;
}' > /etc/cgconfig.conf
service cgconfig start; echo "status $?"
service cgconfig status
lssubsys -am
lscgroup
cat /proc/$$/cgroup
ls -ld /cgroup/memory/sysdefault
cgget -nv -r cpuset.cpus sysdefault
service cgconfig start; echo "status $?"
chkconfig cgconfig on
chkconfig --list cgconfig
chkconfig cgconfig; echo "enabled $?"
chkconfig --level 3 cgconfig off
chkconfig --list
# CREATE_DEFAULT=no: no default group; the default group can also come from the '*' rule.
service cgconfig restart
echo 'CREATE_DEFAULT=no' >> /etc/sysconfig/cgconfig
service cgconfig restart
lscgroup
service cgconfig stop
service cgconfig status; echo "status $?"
mount | grep -c cgroup
# A config that does not parse, and an empty one.
echo 'mount { cpu = /cgroup/cpu }' > /etc/cgconfig.conf
service cgconfig start; echo "status $?"
: > /etc/cgconfig.conf
service cgconfig start; echo "status $?"
service cgconfig frobnicate; echo "status $?"
service nosuch start; echo "status $?"
service; echo "status $?"
