# ps: default, -e, -ef, aux, -o/-O with the cgroup column, -p, -C, headers, and its errors.
# The transcript test runs it on the default 2.6.35 preset, whose ps is RHEL 6's procps 3.2.8
# (Red Hat's cgroup column: SUBSYS:PATH of every hierarchy joined by ';'; `ERROR: ...` and its
# help); presets.rs's ps_procps_ng_4_19 on 4.19, whose ps is procps-ng 4.0.2 (ID:SUBSYS:PATH,
# root hierarchies left out, `error: ...` and its usage).
mkdir -p /sys/fs/cgroup/memory /sys/fs/cgroup/cpu
mount -t cgroup -o memory none /sys/fs/cgroup/memory
mount -t cgroup -o cpu none /sys/fs/cgroup/cpu
mkdir /sys/fs/cgroup/memory/grp
sleep 100 &
s=$!
echo $s > /sys/fs/cgroup/memory/grp/tasks
memhold 1M &
ps
ps -e
ps -ef
ps aux
ps -o pid,ppid,comm,cmd,args,user,uid,stat,state,rss,vsz,cgroup
ps -O cgroup -p $s
ps -o pid,cgroup -p 1,$s
ps -o pid= -o comm= -p $s
ps -o pid=PROCESS,comm:20,args -p $s
ps -o vsz:3,rss:2,pid -p 1
ps -o user,pid= -p 1
ps -C memhold -o pid,comm,rss
ps --no-headers -p $s
ps h p $s
ps --pid $s --format pid,stat
ps -p 9999; echo "ps: $?"
# A zombie: the sleep killed and not yet waited for.
kill -9 $s
ps -o pid,stat,comm,args -p $s
wait $s
# Errors, as procps words them, with status 1.
ps -o pid,x; echo "ps: $?"
ps -o pid,,comm; echo "ps: $?"
ps -o pid:x; echo "ps: $?"
ps -p; echo "ps: $?"
ps -p abc; echo "ps: $?"
ps -Q; echo "ps: $?"
ps Q; echo "ps: $?"
ps --bogus; echo "ps: $?"
ps --help; echo "ps: $?"
ps --version
# procps knows these; cgsim does not model them and says so.
ps -o pid,wchan; echo "ps: $?"
ps -l; echo "ps: $?"
