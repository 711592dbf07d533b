# libcgroup 0.41 cgget and cgset (src/tools/cgget.c, src/tools/cgset.c; cgroup_get_cgroup,
# cgroup_read_value_*, cgroup_modify_cgroup in src/api.c), with the quirks a learner sees:
# files in readdir order (newest first), continuation lines indented with a tab, exit status 0
# from cgget whatever happens after initialization, and cgset's silent failures.
mkdir -p /cgroup/cpu /cgroup/memory
mount -t cgroup -o cpu,cpuacct cpu /cgroup/cpu
mount -t cgroup -o memory memory /cgroup/memory
cgcreate -g cpu,memory:/g1
cgget -g cpu /g1
cgget -g memory:/g1
cgget -r memory.limit_in_bytes -r cpu.shares /g1 /
cgget -n -r memory.limit_in_bytes /g1
cgget -v -r memory.limit_in_bytes /g1
cgget -nv -r memory.limit_in_bytes /g1
cgget -a /g1
cgget -r cpu.shares -g cpuacct:/g1
cgget /g1
cgset -r memory.limit_in_bytes=8M -r cpu.shares=512 g1
echo $?
cgget -n -r memory.limit_in_bytes -r cpu.shares g1
cgcreate -g cpu,memory:/g2
cgset --copy-from g1 g2
echo $?
cgget -n -r memory.limit_in_bytes -r cpu.shares g2
# cgset 0.41 never reports a value the kernel refuses, nor a group that does not exist
# (cgroup_copy_cgroup drops the dirty flags); an unmounted controller is reported.
cgset -r cpu.shares=abc g1
echo $?
cgset -r memory.limit_in_bytes=1M /nonexistent
echo $?
cgset -r cpuset.cpus=0 g1
echo $?
cgset -r cpu.shares g1
echo $?
cgset -r cpu.shares= g1
echo $?
cgset -r cpushares=5 g1
echo $?
cgset -r cpu.shares=5
echo $?
cgset g1
echo $?
cgset --copy-from g1 -r cpu.shares=5 g2
echo $?
cgset --copy-from /nonexistent g2
echo $?
cgset
echo $?
# cgget errors.
cgget /nonexistent
echo $?
cgget -r memory.nosuch g1
echo $?
cgget -r memorylimit g1
echo $?
cgget -r cpuset.cpus g1
echo $?
cgget -g cpu:/g1 /g1
echo $?
cgget -g cpu -g memory:/g1
echo $?
cgget -g cpu
echo $?
cgget
echo $?
