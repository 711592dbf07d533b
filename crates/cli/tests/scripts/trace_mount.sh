# The function-graph trace of a mount (cgroup_get_sb, rebind_subsystems, populate).
mkdir /cg
trace on --summary off
mount -t cgroup -o cpu,cpuacct none /cg
trace off
ls /cg
