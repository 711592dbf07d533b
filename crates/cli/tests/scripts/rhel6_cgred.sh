# RHEL 6 Resource Management Guide 2.8 ("The cgred Service") with libcgroup 0.41: rules in
# /etc/cgrules.conf (src/api.c cgroup_parse_rules: user[:process] controllers destination,
# @group, *, % for another destination of the rule above), `service cgred start`
# (scripts/init.d/cgred.in) runs cgrulesengd, which moves a process when it execs or changes
# its uid/gid (src/daemon/cgrulesengd.c cgre_process_event, over the kernel's process events
# connector); cgclassify and cgexec without -g apply the same rules.
echo 'maria:x:500:500::/home/maria:/bin/sh' >> /etc/passwd
echo 'peter:x:501:501::/home/peter:/bin/sh' >> /etc/passwd
echo 'maria:x:500:' >> /etc/group
echo 'peter:x:501:' >> /etc/group
echo 'student:x:502:peter' >> /etc/group
service cgred start; echo "status $?"
echo 'mount {
	cpu    = /cgroup/cpu;
	memory = /cgroup/memory;
}' > /etc/cgconfig.conf
echo 'CREATE_DEFAULT=no' >> /etc/sysconfig/cgconfig
service cgconfig start
cgcreate -g cpu,memory:/usergroup/staff/ftp -g cpu,memory:/usergroup/student -g memory:/test2
cat >> /etc/cgrules.conf <<'RULES'
maria			cpu		/usergroup/staff
maria:ftp		cpu		/usergroup/staff/ftp
@student		cpu,memory	/usergroup/student/
%			memory		/test2/
*:sleep			memory		/test2/
RULES
service cgred status; echo "status $?"
service cgred start; echo "status $?"
service cgred status
cat /var/run/cgred.pid
ps -o pid,ppid,user,comm -C cgrulesengd
# A process that changes its uid to maria moves to her group; so does its next exec.
setpriv --reuid=maria --regid=500 --clear-groups sh -c 'cat /proc/self/cgroup'
# peter is a student: cpu and memory by the @student rule, and memory again by the % line.
setpriv --reuid=peter --regid=501 --clear-groups cat /proc/self/cgroup
# root matches only the `*:sleep` rule, and only for sleep.
sleep 500 &
cat /proc/$!/cgroup
cat /proc/self/cgroup
# cgclassify without -g applies the rules to running processes (here: the shell, no rule).
cgclassify $$; echo "status $?"
cgclassify 99999; echo "status $?"
# cgexec without -g: the rules for the caller's uid and the command's name.
cgexec sleep 1 &
cat /proc/$!/cgroup
# --sticky: the daemon leaves the process (and its children) where cgexec put it.
cgexec -g memory:/usergroup/student --sticky sh -c 'sleep 400 & cat /proc/$!/cgroup'
# SIGUSR2 (`service cgred reload`) rereads the rules.
echo '*	cpu	/usergroup/staff' > /etc/cgrules.conf
service cgred reload
cat /proc/self/cgroup
service cgred stop
service cgred status; echo "status $?"
ls /var/run
cat /proc/self/cgroup
service cgred stop
service cgred restart
service cgred start
service cgred bogus; echo "status $?"
cgrulesengd -x; echo "status $?"
# A rules file that does not parse.
service cgred stop
echo 'maria cpu' > /etc/cgrules.conf
cgclassify $$; echo "status $?"
cgexec true; echo "status $?"
cgrulesengd; echo "status $?"
