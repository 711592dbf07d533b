# cgsim tour: the cgroup v1 walkthrough of Documentation/cgroups/cgroups.txt, on a simulated Linux 2.6.35
# (whose cgroup objects are still the 2.6.25 ones).
# `cgsim tour` runs it and writes the pictures its `dot` commands take, with an index.html, into
# ./tour (`--out DIR` elsewhere); `cgsim run docs/tour.sh` runs it too, and there `dot` prints
# DOT text. `trace on` / `trace off` below choose which commands print the kernel's
# function_graph call tree, so the interesting ones stand out.

# At boot every task shares init_css_set, linked to the dummy hierarchy's only cgroup.
# Nothing is mounted, so /proc/cgroups shows hierarchy 0 for every subsystem.
cat /proc/cgroups

# Mount a hierarchy with cpu and cpuacct bound to it: cgroup_get_sb builds a cgroupfs_root,
# rebind_subsystems moves the two subsystems' states to its top cgroup, every existing
# css_set gets a cg_cgroup_link to that top cgroup, and cgroup_populate_dir adds the files.
mkdir -p /sys/fs/cgroup/cpu
trace on
mount -t cgroup -o cpu,cpuacct none /sys/fs/cgroup/cpu
trace off
cd /sys/fs/cgroup/cpu
ls

# The top cgroup holds every task. cat is a process forked from the shell, so it lists itself.
cat tasks

# mkdir makes a cgroup (cgroup_create): one cgroup_subsys_state per bound subsystem, created
# in subsys_list order (highest id first), then the base files minus release_agent.
trace on
mkdir A
trace off
ls A

# Attach the shell: the write to tasks runs cgroup_attach_task, which finds or makes the
# css_set "A in this hierarchy, the same cgroups everywhere else" (find_css_set).
trace on
echo $$ > A/tasks
trace off
cat A/tasks
# A forked child inherits its parent's css_set (cgroup_fork): cat reports A for itself.
cat /proc/self/cgroup
# The picture: init still uses init_css_set; the shell now has a second css_set, whose
# subsys[] entries name A's states for cpu and cpuacct.
dot sets

# Two idle processes forked from the shell: cgroup_fork takes a reference on the shell's
# css_set; no new css_set is made, the three tasks share one.
trace on
sleep 1000 &
trace off
first=$!
sleep 1000 &
second=$!
cat A/tasks
# The shell's css_set is reused: its refcount counts the shell and both sleepers.
dot sets

# A second hierarchy, for the memory subsystem: each css_set now links to one cgroup per
# hierarchy, and /proc/<pid>/cgroup gets one line per hierarchy.
mkdir -p /sys/fs/cgroup/memory
mount -t cgroup -o memory none /sys/fs/cgroup/memory
mkdir /sys/fs/cgroup/memory/M
cat /proc/cgroups

# Move the first sleeper into M: no existing css_set has "A here, M there", so find_css_set
# allocates one and links it to A and M (and to the dummy hierarchy's cgroup).
trace on
echo $first > /sys/fs/cgroup/memory/M/tasks
trace off
cat /proc/$first/cgroup
cat /proc/$second/cgroup
# css_set <-> cg_cgroup_link <-> cgroup: each css_set has one link per hierarchy, and a cgroup
# is linked from every css_set that uses it (M:N).
dot links

# A subsystem belongs to one hierarchy at a time: cpu is busy in the first one.
mkdir -p /sys/fs/cgroup/cpu2
mount -t cgroup -o cpu none /sys/fs/cgroup/cpu2

# rmdir refuses a cgroup that tasks still use (cgroup->count is not zero) or that has children.
rmdir A
mkdir A/B
rmdir A
trace on
rmdir A/B
trace off

# Release notification: with notify_on_release set, the kernel runs the hierarchy's
# release_agent when the last task leaves a cgroup that has no children. cgsim never runs a
# host program: it records the call (argv and environment) in the kernel log.
echo /sbin/cgroup_cleanup > release_agent
mkdir R
echo 1 > R/notify_on_release
sleep 1000 &
echo $! > R/tasks
trace on
kill $!
wait $!
trace off
dmesg

# The final state: two hierarchies, their cgroup trees with each cgroup's css, and every
# task, css_set and cg_cgroup_link.
cat A/tasks
cat /sys/fs/cgroup/memory/M/tasks
dot hierarchy
dot all
